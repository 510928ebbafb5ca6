-- composite gets an attribute, domain constraints change, enum grows in the middle
CREATE DOMAIN us_postal_code AS text
    CONSTRAINT zip_format CHECK (VALUE ~ '^\d{5}$' OR VALUE ~ '^\d{5}-\d{4}$');
CREATE DOMAIN positive_int AS integer DEFAULT 1 CONSTRAINT positive CHECK (VALUE > 0) CONSTRAINT small CHECK (VALUE < 1000000);
CREATE DOMAIN email AS text NOT NULL CHECK (VALUE LIKE '%@%');
CREATE DOMAIN percentage AS numeric(5,2) CHECK (VALUE BETWEEN 0 AND 100);
CREATE TYPE mood AS ENUM ('sad', 'meh', 'ok', 'happy', 'ecstatic');
CREATE TYPE inventory_item AS (
    name            text,
    supplier_id     integer,
    price           numeric(10,2),
    discount        percentage
);
CREATE TYPE complex AS (r double precision, i double precision);
CREATE TYPE address AS (street text, city text, zip us_postal_code);
CREATE TABLE on_hand (
    item      inventory_item,
    count     integer,
    locations address[]
);
CREATE TABLE sal_emp (
    name            text,
    pay_by_quarter  bigint[],
    schedule        text[][],
    tags            varchar(20)[] DEFAULT '{}'
);
CREATE TABLE tictactoe (
    squares   smallint[3][3]
);
CREATE TABLE person (
    name text,
    current_mood mood DEFAULT 'ok',
    zip us_postal_code,
    contact email,
    visits positive_int,
    home address
);
CREATE FUNCTION price_extension(inventory_item, integer) RETURNS numeric
    AS 'SELECT $1.price * $2 * (1 - coalesce($1.discount, 0) / 100)' LANGUAGE SQL IMMUTABLE;
CREATE FUNCTION complex_add(complex, complex) RETURNS complex
    LANGUAGE sql IMMUTABLE AS 'SELECT ROW($1.r + $2.r, $1.i + $2.i)::complex';
CREATE VIEW happy_people AS SELECT name, zip, current_mood FROM person WHERE current_mood >= 'happy';
COMMENT ON TYPE inventory_item IS 'an item in stock, with its discount';
COMMENT ON DOMAIN us_postal_code IS 'US ZIP or ZIP+4';
COMMENT ON CONSTRAINT positive ON DOMAIN positive_int IS 'strictly positive';
