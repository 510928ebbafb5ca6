-- PostgreSQL docs, CREATE STATISTICS: two functionally dependent columns, no statistics object
CREATE TABLE t1 (
    a   int,
    b   int
);
CREATE TABLE t2 (
    a   int,
    b   int
);
