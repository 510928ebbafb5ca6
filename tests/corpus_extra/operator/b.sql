-- the docs' "CREATE OPERATOR + (leftarg = complex, rightarg = complex, function =
-- complex_add, commutator = +)"
CREATE TYPE complex AS (r double precision, i double precision);
CREATE FUNCTION complex_add(complex, complex) RETURNS complex
    LANGUAGE sql IMMUTABLE STRICT
    RETURN ROW(($1).r + ($2).r, ($1).i + ($2).i)::complex;
CREATE OPERATOR + (
    leftarg = complex,
    rightarg = complex,
    function = complex_add,
    commutator = +
);
COMMENT ON OPERATOR + (complex, complex) IS 'complex addition';
CREATE TABLE signals (signal_id integer PRIMARY KEY, sample complex);
