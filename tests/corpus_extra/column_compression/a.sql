-- PostgreSQL docs, CREATE TABLE ... COMPRESSION: articles with large text bodies, default method
CREATE TABLE articles (
    article_id integer PRIMARY KEY,
    title text NOT NULL,
    body text,
    attachment bytea
);
