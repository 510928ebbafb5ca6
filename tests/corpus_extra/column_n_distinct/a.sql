-- PostgreSQL docs, ALTER TABLE ... SET ( attribute_option ): orders whose customer column the
-- planner misjudges
CREATE TABLE orders (
    order_id integer PRIMARY KEY,
    customer_id integer,
    status text
);
