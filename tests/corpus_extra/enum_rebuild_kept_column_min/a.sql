CREATE TYPE color AS ENUM ('red', 'green');
CREATE TABLE t (id integer, paint color);
