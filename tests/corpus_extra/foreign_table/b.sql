-- the docs' foreign table over the CSV log (a shortened column list), a comment on it
CREATE EXTENSION file_fdw;
CREATE SERVER pglog FOREIGN DATA WRAPPER file_fdw;
CREATE TABLE imports (import_id integer PRIMARY KEY, source text);
CREATE FOREIGN TABLE pglog (
    log_time timestamp(3) with time zone,
    user_name text,
    database_name text,
    error_severity text,
    message text
) SERVER pglog
OPTIONS ( filename 'log/pglog.csv', format 'csv' );
COMMENT ON FOREIGN TABLE pglog IS 'The server log, read from CSV';
