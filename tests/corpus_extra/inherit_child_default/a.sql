-- PostgreSQL docs 5.10 (inheritance): cities and capitals
CREATE TABLE cities (
    name       text,
    population float,
    elevation  int     -- in feet
);
CREATE TABLE capitals (
    state      char(2)
) INHERITS (cities);
