-- PostgreSQL docs 38.14 (user-defined operators): a complex type and its addition function
CREATE TYPE complex AS (r double precision, i double precision);
CREATE FUNCTION complex_add(complex, complex) RETURNS complex
    LANGUAGE sql IMMUTABLE STRICT
    RETURN ROW(($1).r + ($2).r, ($1).i + ($2).i)::complex;
CREATE TABLE signals (signal_id integer PRIMARY KEY, sample complex);
