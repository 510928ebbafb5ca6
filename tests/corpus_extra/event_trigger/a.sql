-- PostgreSQL docs 40.4 (a complete event trigger example, in PL/pgSQL): the function only
CREATE FUNCTION snitch() RETURNS event_trigger
    LANGUAGE plpgsql AS $$
BEGIN
    RAISE NOTICE 'snitch: % %', tg_event, tg_tag;
END;
$$;
CREATE TABLE audit_notes (note_id integer PRIMARY KEY, body text);
