-- PostgreSQL docs, ALTER DEFAULT PRIVILEGES: a schema whose tables are read by everyone
CREATE SCHEMA myschema;
CREATE TABLE myschema.notes (note_id integer PRIMARY KEY, body text);
