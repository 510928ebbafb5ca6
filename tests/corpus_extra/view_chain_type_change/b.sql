CREATE SCHEMA sales;
CREATE TABLE sales.orders (
    id bigint PRIMARY KEY,
    customer text NOT NULL,
    amount numeric(12,2) NOT NULL,
    status text NOT NULL DEFAULT 'new',
    placed_at timestamptz NOT NULL DEFAULT now(),
    channel text
);
CREATE TABLE sales.order_lines (
    order_id bigint NOT NULL REFERENCES sales.orders ON DELETE CASCADE,
    line_no integer NOT NULL,
    sku text NOT NULL,
    qty numeric(10,3) NOT NULL,
    PRIMARY KEY (order_id, line_no)
);
CREATE VIEW sales.order_totals AS
    SELECT o.id, o.customer, o.amount, o.channel, count(l.line_no) AS lines, sum(l.qty) AS units
    FROM sales.orders o LEFT JOIN sales.order_lines l ON l.order_id = o.id
    GROUP BY o.id;
CREATE VIEW sales.big_orders AS
    SELECT id, customer, amount, channel FROM sales.order_totals WHERE amount > 5000;
CREATE VIEW public.big_customers AS
    SELECT customer, sum(amount) AS total, count(*) AS n FROM sales.big_orders GROUP BY customer;
CREATE MATERIALIZED VIEW sales.daily AS
    SELECT (placed_at AT TIME ZONE 'UTC')::date AS day, sum(amount) AS revenue, count(*) AS orders
    FROM sales.orders GROUP BY 1;
CREATE UNIQUE INDEX daily_day ON sales.daily (day);
CREATE MATERIALIZED VIEW sales.by_channel AS
    SELECT channel, sum(amount) AS revenue FROM sales.orders GROUP BY channel WITH NO DATA;
CREATE FUNCTION sales.order_amount(p_id bigint) RETURNS numeric
    LANGUAGE sql STABLE
    BEGIN ATOMIC
        SELECT amount FROM sales.orders WHERE id = p_id;
    END;
CREATE FUNCTION sales.customer_orders(p_customer text) RETURNS SETOF sales.orders
    LANGUAGE sql STABLE
    RETURN (SELECT o FROM sales.orders o WHERE customer = p_customer LIMIT 1);
COMMENT ON VIEW sales.big_orders IS 'orders over 5000';
COMMENT ON MATERIALIZED VIEW sales.daily IS 'refreshed nightly';
