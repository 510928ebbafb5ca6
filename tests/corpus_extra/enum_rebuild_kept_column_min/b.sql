CREATE TYPE color AS ENUM ('green');
CREATE TABLE t (id integer);
