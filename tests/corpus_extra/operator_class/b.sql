-- a B-tree operator family and class with the strategies swapped, as the docs describe for a
-- reverse sort order
CREATE FUNCTION int4_reverse_cmp(integer, integer) RETURNS integer
    LANGUAGE sql IMMUTABLE STRICT
    RETURN pg_catalog.btint4cmp($2, $1);
CREATE OPERATOR FAMILY int4_reverse_ops USING btree;
CREATE OPERATOR CLASS int4_reverse_ops
    FOR TYPE integer USING btree FAMILY int4_reverse_ops AS
        OPERATOR        1       > ,
        OPERATOR        2       >= ,
        OPERATOR        3       = ,
        OPERATOR        4       <= ,
        OPERATOR        5       < ,
        FUNCTION        1       int4_reverse_cmp(integer, integer);
CREATE TABLE scores (player text PRIMARY KEY, points integer);
