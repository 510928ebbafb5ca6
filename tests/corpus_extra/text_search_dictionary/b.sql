-- the docs' simple dictionary with the English stop words, and a snowball stemmer
CREATE TABLE docs (doc_id integer PRIMARY KEY, title text, body text);
CREATE TEXT SEARCH DICTIONARY public.simple_dict (
    TEMPLATE = pg_catalog.simple,
    STOPWORDS = english
);
CREATE TEXT SEARCH DICTIONARY english_stem_nostop (
    TEMPLATE = snowball,
    Language = english
);
COMMENT ON TEXT SEARCH DICTIONARY public.simple_dict IS 'simple, English stop words dropped';
