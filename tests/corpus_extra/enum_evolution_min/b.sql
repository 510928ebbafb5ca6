CREATE TYPE color AS ENUM ('red', 'black');
CREATE TABLE t (labels color[] DEFAULT '{black}');
