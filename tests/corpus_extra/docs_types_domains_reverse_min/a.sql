CREATE DOMAIN percentage AS numeric;
CREATE TYPE item AS (name text, discount percentage);
