-- PostgreSQL tutorial (chapters 2 and 3): weather, cities, capitals by inheritance
CREATE TABLE cities (
    name       varchar(80) PRIMARY KEY,
    population real,
    elevation  int,
    location   point
);
CREATE TABLE capitals (
    state      char(2)
) INHERITS (cities);
CREATE TABLE weather (
    city      varchar(80) REFERENCES cities(name),
    temp_lo   int,           -- low temperature
    temp_hi   int,           -- high temperature
    prcp      real,          -- precipitation
    date      date
);
CREATE VIEW myview AS
    SELECT name, temp_lo, temp_hi, prcp, date, location
        FROM weather, cities
        WHERE city = name;
CREATE INDEX weather_city_date ON weather (city, date);
COMMENT ON TABLE capitals IS 'state capitals';
