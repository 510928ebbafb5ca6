CREATE TYPE color AS ENUM ('red');
CREATE TABLE t (labels color[] DEFAULT '{}');
