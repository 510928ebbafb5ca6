-- PostgreSQL docs 5.10 (inheritance): capitals inherit from cities, whose key comes from a
-- serial; the child shares the parent's sequence through the inherited default
CREATE TABLE cities (
    city_id    serial,
    name       text,
    population float,
    elevation  int
);
CREATE TABLE capitals (
    state      char(2)
) INHERITS (cities);
