-- the docs' server (CREATE SERVER foreign_server ... OPTIONS (host, port, dbname)); no user
-- mapping: those hold passwords and are never read
CREATE EXTENSION postgres_fdw;
CREATE TABLE imports (import_id integer PRIMARY KEY, source text);
CREATE SERVER foreign_server
        FOREIGN DATA WRAPPER postgres_fdw
        OPTIONS (host '192.83.123.89', port '5432', dbname 'foreign_db');
COMMENT ON SERVER foreign_server IS 'The sales database';
