-- tutorial schema, evolved: a column added to the parent (inherited by children), a second
-- child, a CHECK inherited, NO INHERIT check, view over the new column, temps as numeric
CREATE TABLE cities (
    name       varchar(80) PRIMARY KEY,
    population real,
    elevation  int,
    location   point,
    country    text DEFAULT 'US' NOT NULL,
    CONSTRAINT population_positive CHECK (population >= 0),
    CONSTRAINT only_parent CHECK (elevation IS NOT NULL) NO INHERIT
);
CREATE TABLE capitals (
    state      char(2) NOT NULL
) INHERITS (cities);
CREATE TABLE villages (
    mayor      text
) INHERITS (cities);
CREATE TABLE weather (
    city      varchar(80) REFERENCES cities(name) ON DELETE CASCADE,
    temp_lo   numeric(5,1),
    temp_hi   numeric(5,1),
    prcp      real,
    date      date NOT NULL,
    CONSTRAINT temp_range CHECK (temp_lo <= temp_hi)
);
CREATE VIEW myview AS
    SELECT name, temp_lo, temp_hi, prcp, date, location, country
        FROM weather, cities
        WHERE city = name;
CREATE VIEW capital_weather AS
    SELECT c.state, v.*
        FROM myview v JOIN capitals c USING (name);
CREATE INDEX weather_city_date ON weather (city, date DESC);
CREATE INDEX capitals_state ON capitals (state);
COMMENT ON TABLE capitals IS 'state capitals';
COMMENT ON COLUMN cities.country IS 'ISO country code';
COMMENT ON VIEW myview IS 'weather joined with cities';
