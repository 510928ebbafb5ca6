-- PostgreSQL docs F.38 (postgres_fdw): the wrapper installed, no server yet
CREATE EXTENSION postgres_fdw;
CREATE TABLE imports (import_id integer PRIMARY KEY, source text);
