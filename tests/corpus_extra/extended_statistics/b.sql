-- the docs' examples: functional dependencies on t1, an MCV list on t2, a statistics target
CREATE TABLE t1 (
    a   int,
    b   int
);
CREATE STATISTICS s1 (dependencies) ON a, b FROM t1;
CREATE TABLE t2 (
    a   int,
    b   int
);
CREATE STATISTICS s2 (mcv) ON a, b FROM t2;
ALTER STATISTICS s2 SET STATISTICS 500;
COMMENT ON STATISTICS s1 IS 'a determines b';
