-- the docs' "CLUSTER employees USING employees_ind" marks the index the table is clustered
-- on; ALTER TABLE ... CLUSTER ON sets the same mark without rewriting the table
CREATE TABLE employees (
    employee_id integer PRIMARY KEY,
    name text NOT NULL,
    department text,
    hired date
);
CREATE INDEX employees_ind ON employees (department, name);
ALTER TABLE employees CLUSTER ON employees_ind;
