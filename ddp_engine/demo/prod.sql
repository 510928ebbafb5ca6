-- The demo shop as it runs in production today (loaded into the `prod` database by `ddp demo`).
-- Compared with dev.sql: customers.fax still exists and holds data, customers.email is
-- varchar(100), products.price is numeric(8,2), orders has no updated_at column, trigger or
-- function, there is no index on orders (customer_id, ordered_at), and newsletter_signups
-- (dropped in dev) still holds rows.

CREATE TABLE customers (
    id         serial PRIMARY KEY,
    email      varchar(100) NOT NULL UNIQUE,
    name       text NOT NULL,
    fax        text,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE products (
    id    serial PRIMARY KEY,
    sku   varchar(20) NOT NULL UNIQUE,
    title text NOT NULL,
    price numeric(8, 2) NOT NULL CHECK (price >= 0)
);

CREATE TABLE orders (
    id          serial PRIMARY KEY,
    customer_id integer NOT NULL REFERENCES customers (id),
    status      text NOT NULL DEFAULT 'new'
        CHECK (status IN ('new', 'paid', 'shipped', 'cancelled')),
    ordered_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE order_items (
    order_id   integer NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    product_id integer NOT NULL REFERENCES products (id),
    quantity   integer NOT NULL DEFAULT 1 CHECK (quantity > 0),
    unit_price numeric(8, 2) NOT NULL,
    PRIMARY KEY (order_id, product_id)
);

CREATE TABLE newsletter_signups (
    id           serial PRIMARY KEY,
    email        text NOT NULL,
    signed_up_at timestamptz NOT NULL DEFAULT now()
);

CREATE VIEW customer_totals AS
SELECT c.id, c.email, count(DISTINCT o.id) AS orders, coalesce(sum(i.quantity * i.unit_price), 0) AS spent
FROM customers c
LEFT JOIN orders o ON o.customer_id = c.id
LEFT JOIN order_items i ON i.order_id = o.id
GROUP BY c.id, c.email;

INSERT INTO customers (email, name, fax, created_at) VALUES
    ('ada@example.com',    'Ada Lovelace',   '+44 20 7946 0001', '2024-01-03 09:00+00'),
    ('alan@example.com',   'Alan Turing',    NULL,               '2024-02-11 14:30+00'),
    ('grace@example.com',  'Grace Hopper',   '+1 202 555 0199',  '2024-03-21 08:15+00'),
    ('edsger@example.com', 'Edsger Dijkstra', NULL,              '2024-05-02 17:45+00');

INSERT INTO products (sku, title, price) VALUES
    ('MUG-001', 'Coffee mug',         9.50),
    ('TEE-042', 'T-shirt',           19.90),
    ('BK-0001', 'Structured Programming', 42.00);

INSERT INTO orders (customer_id, status, ordered_at) VALUES
    (1, 'shipped', '2024-06-01 10:00+00'),
    (1, 'paid',    '2024-06-15 12:00+00'),
    (3, 'new',     '2024-06-20 16:20+00'),
    (4, 'cancelled', '2024-07-01 09:05+00');

INSERT INTO order_items (order_id, product_id, quantity, unit_price) VALUES
    (1, 1, 2,  9.50),
    (1, 3, 1, 42.00),
    (2, 2, 3, 19.90),
    (3, 1, 1,  9.50),
    (4, 2, 1, 19.90);

INSERT INTO newsletter_signups (email, signed_up_at) VALUES
    ('ada@example.com',   '2024-01-05 10:00+00'),
    ('grace@example.com', '2024-03-22 11:00+00'),
    ('linus@example.com', '2024-04-01 12:00+00');
