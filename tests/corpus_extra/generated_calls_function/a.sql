-- PostgreSQL docs 5.3 (generated columns): people with their height in centimetres
CREATE TABLE people (
    person_id integer PRIMARY KEY,
    name text,
    height_cm numeric
);
