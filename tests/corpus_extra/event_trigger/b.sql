-- the docs' "CREATE EVENT TRIGGER snitch ON ddl_command_start EXECUTE FUNCTION snitch()"
CREATE FUNCTION snitch() RETURNS event_trigger
    LANGUAGE plpgsql AS $$
BEGIN
    RAISE NOTICE 'snitch: % %', tg_event, tg_tag;
END;
$$;
CREATE TABLE audit_notes (note_id integer PRIMARY KEY, body text);
CREATE EVENT TRIGGER snitch ON ddl_command_start EXECUTE FUNCTION snitch();
