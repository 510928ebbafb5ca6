CREATE TABLE orders (id integer, amount numeric(8,2));
CREATE FUNCTION order_amount(p_id integer) RETURNS numeric LANGUAGE sql STABLE
    BEGIN ATOMIC SELECT amount FROM orders WHERE id = p_id; END;
