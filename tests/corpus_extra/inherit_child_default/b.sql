-- a capital's own default for an inherited column (a child may declare a default the parent
-- does not have) and a default on the parent that the child overrides
CREATE TABLE cities (
    name       text,
    population float DEFAULT 0,
    elevation  int     -- in feet
);
CREATE TABLE capitals (
    state      char(2),
    elevation  int DEFAULT 0,
    population float DEFAULT 100000
) INHERITS (cities);
