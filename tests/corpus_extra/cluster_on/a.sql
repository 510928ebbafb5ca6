-- PostgreSQL docs, CLUSTER: the employees table and its index, not yet clustered
CREATE TABLE employees (
    employee_id integer PRIMARY KEY,
    name text NOT NULL,
    department text,
    hired date
);
CREATE INDEX employees_ind ON employees (department, name);
