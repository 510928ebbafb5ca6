CREATE TABLE t (c bigint);
