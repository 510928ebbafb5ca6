-- PostgreSQL docs 38.16 (interfacing extensions to indexes): integers to be sorted in
-- reverse order, the comparison function ready
CREATE FUNCTION int4_reverse_cmp(integer, integer) RETURNS integer
    LANGUAGE sql IMMUTABLE STRICT
    RETURN pg_catalog.btint4cmp($2, $1);
CREATE TABLE scores (player text PRIMARY KEY, points integer);
