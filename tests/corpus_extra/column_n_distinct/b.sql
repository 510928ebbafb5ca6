-- the distinct counts fixed by hand: n_distinct as a fraction of the rows, n_distinct_inherited
-- as a count
CREATE TABLE orders (
    order_id integer PRIMARY KEY,
    customer_id integer,
    status text
);
ALTER TABLE orders ALTER COLUMN customer_id SET (n_distinct = -0.2);
ALTER TABLE orders ALTER COLUMN status SET (n_distinct = 5, n_distinct_inherited = 5);
