DO $$ BEGIN CREATE ROLE ddp_test_reader NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
DO $$ BEGIN CREATE ROLE ddp_test_writer NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
CREATE SCHEMA hr;
CREATE TYPE hr.grade AS ENUM ('junior', 'senior', 'principal');
CREATE DOMAIN hr.salary AS numeric(10,2) CHECK (VALUE >= 0);
CREATE SEQUENCE hr.badge_seq;
CREATE TABLE hr.employees (
    id integer PRIMARY KEY,
    name text NOT NULL,
    ssn text,
    salary hr.salary,
    grade hr.grade,
    badge integer DEFAULT nextval('hr.badge_seq'),
    email text
);
CREATE INDEX employees_name_idx ON hr.employees (name);
CREATE VIEW hr.directory AS SELECT id, name, email FROM hr.employees;
CREATE MATERIALIZED VIEW hr.payroll AS SELECT grade, sum(salary) AS total FROM hr.employees GROUP BY grade;
CREATE UNIQUE INDEX payroll_grade ON hr.payroll (grade);
CREATE FUNCTION hr.raise(p_id integer, p_pct numeric) RETURNS void LANGUAGE sql AS
    'UPDATE hr.employees SET salary = salary * (1 + p_pct / 100) WHERE id = p_id';
GRANT USAGE ON SCHEMA hr TO ddp_test_reader, ddp_test_writer;
GRANT SELECT (id, name, grade, email) ON hr.employees TO ddp_test_reader;
GRANT UPDATE (email) ON hr.employees TO ddp_test_reader;
GRANT SELECT, INSERT ON hr.employees TO ddp_test_writer;
GRANT UPDATE (name, salary, grade) ON hr.employees TO ddp_test_writer;
GRANT SELECT ON hr.directory TO ddp_test_reader, ddp_test_writer;
GRANT SELECT ON hr.payroll TO ddp_test_writer;
GRANT USAGE, SELECT ON SEQUENCE hr.badge_seq TO ddp_test_writer;
GRANT USAGE ON TYPE hr.grade TO ddp_test_reader;
REVOKE EXECUTE ON FUNCTION hr.raise(integer, numeric) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hr.raise(integer, numeric) TO ddp_test_writer WITH GRANT OPTION;
COMMENT ON SCHEMA hr IS 'human resources';
COMMENT ON TABLE hr.employees IS 'one row per employee (current and past)';
COMMENT ON COLUMN hr.employees.ssn IS 'sensitive: masked in directory';
COMMENT ON COLUMN hr.employees.email IS 'work address';
COMMENT ON INDEX hr.payroll_grade IS 'for REFRESH CONCURRENTLY';
COMMENT ON SEQUENCE hr.badge_seq IS 'badge numbers';
COMMENT ON VIEW hr.directory IS 'public directory';
COMMENT ON MATERIALIZED VIEW hr.payroll IS 'payroll totals';
COMMENT ON FUNCTION hr.raise(integer, numeric) IS 'give a raise (percent)';
COMMENT ON TYPE hr.grade IS 'career grade';
COMMENT ON DOMAIN hr.salary IS 'money, non-negative';
COMMENT ON CONSTRAINT employees_pkey ON hr.employees IS 'the primary key';
COMMENT ON CONSTRAINT salary_check ON DOMAIN hr.salary IS 'no negative pay';
