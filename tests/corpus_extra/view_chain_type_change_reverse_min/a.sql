CREATE TABLE orders (id integer, amount numeric(12,2));
CREATE FUNCTION order_amount(p_id bigint) RETURNS numeric LANGUAGE sql STABLE
    BEGIN ATOMIC SELECT amount FROM orders WHERE id = p_id; END;
