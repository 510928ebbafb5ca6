-- the docs' examples: tables created later in myschema readable by PUBLIC and insertable by
-- ddp_test_webuser; functions created later not executable by PUBLIC
CREATE SCHEMA myschema;
CREATE TABLE myschema.notes (note_id integer PRIMARY KEY, body text);
ALTER DEFAULT PRIVILEGES IN SCHEMA myschema GRANT SELECT ON TABLES TO PUBLIC;
ALTER DEFAULT PRIVILEGES IN SCHEMA myschema GRANT INSERT ON TABLES TO ddp_test_webuser;
ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
