-- signatures changed (argument types, defaults, OUT params), procedure rewritten with BEGIN ATOMIC,
-- an aggregate gets a final function, a new overloaded function, volatility/strictness changes
CREATE TABLE emp (
    name text,
    salary numeric(12,2),
    age integer,
    cubicle point,
    depname text,
    last_date timestamptz,
    last_user text
);
CREATE TABLE tbl (a integer, b integer);
CREATE FUNCTION one() RETURNS bigint AS $$ SELECT 1::bigint AS result; $$ LANGUAGE SQL IMMUTABLE;
CREATE FUNCTION add_em(x integer, y integer DEFAULT 0) RETURNS integer
    LANGUAGE SQL IMMUTABLE STRICT
    RETURN x + y;
CREATE FUNCTION add_em(x numeric, y numeric) RETURNS numeric
    LANGUAGE SQL IMMUTABLE STRICT
    RETURN x + y;
CREATE FUNCTION double_salary(emp) RETURNS numeric AS $$
    SELECT $1.salary * 2 AS salary;
$$ LANGUAGE SQL STABLE;
CREATE FUNCTION sum_n_product(x int, y int, OUT sum int, OUT product int, OUT difference int)
AS 'SELECT x + y, x * y, x - y' LANGUAGE SQL;
CREATE PROCEDURE insert_data(a integer, b integer)
LANGUAGE SQL
BEGIN ATOMIC
  INSERT INTO tbl VALUES (a, b);
END;
CREATE FUNCTION complex_accum(double precision[], double precision) RETURNS double precision[]
    LANGUAGE sql IMMUTABLE STRICT AS 'SELECT ARRAY[$1[1] + $2, $1[2] + 1]';
CREATE FUNCTION complex_final(double precision[]) RETURNS double precision
    LANGUAGE sql IMMUTABLE STRICT AS 'SELECT CASE WHEN $1[2] = 0 THEN NULL ELSE $1[1] / $1[2] END';
CREATE AGGREGATE avg_simple (float8) (
    sfunc = complex_accum,
    stype = float8[],
    finalfunc = complex_final,
    initcond = '{0,0}'
);
CREATE VIEW emp_rank AS
    SELECT depname, name, salary,
           dense_rank() OVER (PARTITION BY depname ORDER BY salary DESC) AS r,
           avg(salary) OVER w AS dep_avg,
           avg_simple(age::float8) OVER w AS dep_age
    FROM emp
    WINDOW w AS (PARTITION BY depname);
CREATE FUNCTION emp_stamp() RETURNS trigger AS $emp_stamp$
    BEGIN
        IF NEW.name IS NULL THEN
            RAISE EXCEPTION 'name cannot be null';
        END IF;
        IF NEW.salary IS NULL THEN
            RAISE EXCEPTION '% cannot have null salary', NEW.name;
        END IF;
        NEW.last_date := current_timestamp;
        NEW.last_user := current_user;
        RETURN NEW;
    END;
$emp_stamp$ LANGUAGE plpgsql;
CREATE TRIGGER emp_stamp BEFORE INSERT OR UPDATE ON emp
    FOR EACH ROW EXECUTE FUNCTION emp_stamp();
COMMENT ON FUNCTION add_em(integer, integer) IS 'adds two integers';
COMMENT ON PROCEDURE insert_data(integer, integer) IS 'inserts one row';
COMMENT ON AGGREGATE avg_simple(float8) IS 'average, the long way';
