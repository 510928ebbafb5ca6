-- The demo shop as the developers have it now (loaded into the `dev` database by `ddp demo`).
-- Compared with prod.sql: customers.fax is gone and customers.phone is new, customers.email
-- and products.price are wider, orders.updated_at is new and kept current by a trigger
-- function, orders has a new index for "a customer's latest orders", and the
-- newsletter_signups table is gone (the newsletter moved to an external service).

CREATE TABLE customers (
    id         serial PRIMARY KEY,
    email      varchar(255) NOT NULL UNIQUE,
    name       text NOT NULL,
    phone      varchar(30),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE products (
    id    serial PRIMARY KEY,
    sku   varchar(20) NOT NULL UNIQUE,
    title text NOT NULL,
    price numeric(12, 2) NOT NULL CHECK (price >= 0)
);

CREATE TABLE orders (
    id          serial PRIMARY KEY,
    customer_id integer NOT NULL REFERENCES customers (id),
    status      text NOT NULL DEFAULT 'new'
        CHECK (status IN ('new', 'paid', 'shipped', 'cancelled')),
    ordered_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX orders_customer_ordered_idx ON orders (customer_id, ordered_at DESC);

CREATE TABLE order_items (
    order_id   integer NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    product_id integer NOT NULL REFERENCES products (id),
    quantity   integer NOT NULL DEFAULT 1 CHECK (quantity > 0),
    unit_price numeric(8, 2) NOT NULL,
    PRIMARY KEY (order_id, product_id)
);

CREATE VIEW customer_totals AS
SELECT c.id, c.email, count(DISTINCT o.id) AS orders, coalesce(sum(i.quantity * i.unit_price), 0) AS spent
FROM customers c
LEFT JOIN orders o ON o.customer_id = c.id
LEFT JOIN order_items i ON i.order_id = o.id
GROUP BY c.id, c.email;

CREATE FUNCTION touch_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

CREATE TRIGGER orders_touch_updated_at
    BEFORE UPDATE ON orders
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

-- A few rows so that the application runs in dev; ddp compares schemas, never data.
INSERT INTO customers (email, name, phone) VALUES ('dev@example.com', 'Dev User', '+1 555 0100');
INSERT INTO products (sku, title, price) VALUES ('TEST-01', 'Test product', 1.00);
