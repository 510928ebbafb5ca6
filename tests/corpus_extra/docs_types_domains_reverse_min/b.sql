CREATE TYPE item AS (name text);
