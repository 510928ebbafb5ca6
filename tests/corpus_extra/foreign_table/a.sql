-- PostgreSQL docs F.14 (file_fdw): the wrapper and its server
CREATE EXTENSION file_fdw;
CREATE SERVER pglog FOREIGN DATA WRAPPER file_fdw;
CREATE TABLE imports (import_id integer PRIMARY KEY, source text);
