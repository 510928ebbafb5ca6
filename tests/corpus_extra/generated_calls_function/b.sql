-- the docs' height_in computed by an immutable function defined in the same script: the
-- function must exist before the generated column that calls it
CREATE FUNCTION cm_to_inches(cm numeric) RETURNS numeric
    LANGUAGE sql IMMUTABLE STRICT
    RETURN cm / 2.54;
CREATE TABLE people (
    person_id integer PRIMARY KEY,
    name text,
    height_cm numeric,
    height_in numeric GENERATED ALWAYS AS (cm_to_inches(height_cm)) STORED
);
