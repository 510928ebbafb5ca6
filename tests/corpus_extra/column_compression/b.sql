-- the large columns set to their own compression methods (ALTER TABLE ... SET COMPRESSION)
CREATE TABLE articles (
    article_id integer PRIMARY KEY,
    title text NOT NULL,
    body text COMPRESSION lz4,
    attachment bytea COMPRESSION pglz
);
