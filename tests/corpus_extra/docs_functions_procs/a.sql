-- docs: SQL functions (xfunc-sql), procedures, user-defined aggregates (xaggr), window calls
CREATE TABLE emp (
    name text,
    salary numeric,
    age integer,
    cubicle point,
    depname text
);
CREATE TABLE tbl (a integer, b integer);
CREATE FUNCTION one() RETURNS integer AS $$ SELECT 1 AS result; $$ LANGUAGE SQL;
CREATE FUNCTION add_em(x integer, y integer) RETURNS integer AS $$
    SELECT x + y;
$$ LANGUAGE SQL;
CREATE FUNCTION double_salary(emp) RETURNS numeric AS $$
    SELECT $1.salary * 2 AS salary;
$$ LANGUAGE SQL;
CREATE FUNCTION sum_n_product(x int, y int, OUT sum int, OUT product int)
AS 'SELECT x + y, x * y' LANGUAGE SQL;
CREATE PROCEDURE insert_data(a integer, b integer)
LANGUAGE SQL
AS $$
INSERT INTO tbl VALUES (a);
INSERT INTO tbl VALUES (b);
$$;
CREATE FUNCTION complex_accum(double precision[], double precision) RETURNS double precision[]
    LANGUAGE sql IMMUTABLE STRICT AS 'SELECT ARRAY[$1[1] + $2, $1[2] + 1]';
CREATE AGGREGATE avg_simple (float8) (
    sfunc = complex_accum,
    stype = float8[],
    initcond = '{0,0}'
);
CREATE AGGREGATE array_accum (anycompatible) (
    sfunc = array_append,
    stype = anycompatiblearray,
    initcond = '{}'
);
CREATE VIEW emp_rank AS
    SELECT depname, name, salary,
           rank() OVER (PARTITION BY depname ORDER BY salary DESC) AS r,
           avg(salary) OVER w AS dep_avg
    FROM emp
    WINDOW w AS (PARTITION BY depname);
CREATE FUNCTION emp_stamp() RETURNS trigger AS $emp_stamp$
    BEGIN
        IF NEW.salary IS NULL THEN
            RAISE EXCEPTION '% cannot have null salary', NEW.name;
        END IF;
        RETURN NEW;
    END;
$emp_stamp$ LANGUAGE plpgsql;
CREATE TRIGGER emp_stamp BEFORE INSERT OR UPDATE ON emp
    FOR EACH ROW EXECUTE FUNCTION emp_stamp();
