-- the docs' configuration "pg", copied from english with its word mappings changed
CREATE TABLE docs (doc_id integer PRIMARY KEY, title text, body text);
CREATE TEXT SEARCH CONFIGURATION public.pg ( COPY = pg_catalog.english );
ALTER TEXT SEARCH CONFIGURATION pg
    ALTER MAPPING FOR asciiword, asciihword, hword_asciipart,
                      word, hword, hword_part
    WITH english_stem;
ALTER TEXT SEARCH CONFIGURATION pg
    DROP MAPPING FOR email, url, url_path, sfloat, float;
