-- views of views, a materialized view with indexes and a SQL-standard function body all
-- depending on columns whose types change
CREATE SCHEMA sales;
CREATE TABLE sales.orders (
    id integer PRIMARY KEY,
    customer text NOT NULL,
    amount numeric(8,2) NOT NULL,
    status varchar(10) NOT NULL DEFAULT 'new',
    placed_at timestamp NOT NULL DEFAULT now()
);
CREATE TABLE sales.order_lines (
    order_id integer NOT NULL REFERENCES sales.orders,
    line_no smallint NOT NULL,
    sku text NOT NULL,
    qty integer NOT NULL,
    PRIMARY KEY (order_id, line_no)
);
CREATE VIEW sales.order_totals AS
    SELECT o.id, o.customer, o.amount, count(l.line_no) AS lines
    FROM sales.orders o LEFT JOIN sales.order_lines l ON l.order_id = o.id
    GROUP BY o.id;
CREATE VIEW sales.big_orders AS
    SELECT id, customer, amount FROM sales.order_totals WHERE amount > 1000;
CREATE VIEW public.big_customers AS
    SELECT customer, sum(amount) AS total FROM sales.big_orders GROUP BY customer;
CREATE MATERIALIZED VIEW sales.daily AS
    SELECT placed_at::date AS day, sum(amount) AS revenue, count(*) AS orders
    FROM sales.orders GROUP BY 1;
CREATE UNIQUE INDEX daily_day ON sales.daily (day);
CREATE INDEX daily_revenue ON sales.daily (revenue DESC);
CREATE FUNCTION sales.order_amount(p_id integer) RETURNS numeric
    LANGUAGE sql STABLE
    BEGIN ATOMIC
        SELECT amount FROM sales.orders WHERE id = p_id;
    END;
CREATE FUNCTION sales.customer_orders(p_customer text) RETURNS SETOF sales.orders
    LANGUAGE sql STABLE
    RETURN (SELECT o FROM sales.orders o WHERE customer = p_customer LIMIT 1);
COMMENT ON VIEW sales.big_orders IS 'orders over 1000';
COMMENT ON MATERIALIZED VIEW sales.daily IS 'refreshed nightly';
