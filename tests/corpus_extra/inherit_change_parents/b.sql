-- cities replaced by a broader settlements table with a serial of its own: capitals now
-- inherit from it (ALTER TABLE ... NO INHERIT / INHERIT), and their default follows its sequence
CREATE TABLE settlements (
    city_id    serial,
    name       text,
    population float,
    elevation  int
);
CREATE TABLE capitals (
    state      char(2)
) INHERITS (settlements);
