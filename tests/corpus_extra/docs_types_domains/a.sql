-- docs: composite types (8.16), arrays (8.15), domains (CREATE DOMAIN), enums (8.7)
CREATE DOMAIN us_postal_code AS text
    CHECK (VALUE ~ '^\d{5}$' OR VALUE ~ '^\d{5}-\d{4}$');
CREATE DOMAIN positive_int AS integer CONSTRAINT positive CHECK (VALUE > 0);
CREATE DOMAIN email AS text NOT NULL;
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE TYPE inventory_item AS (
    name            text,
    supplier_id     integer,
    price           numeric
);
CREATE TYPE complex AS (r double precision, i double precision);
CREATE TABLE on_hand (
    item      inventory_item,
    count     integer
);
CREATE TABLE sal_emp (
    name            text,
    pay_by_quarter  integer[],
    schedule        text[][]
);
CREATE TABLE tictactoe (
    squares   integer[3][3]
);
CREATE TABLE person (
    name text,
    current_mood mood,
    zip us_postal_code,
    contact email,
    visits positive_int
);
CREATE FUNCTION price_extension(inventory_item, integer) RETURNS numeric
    AS 'SELECT $1.price * $2' LANGUAGE SQL;
CREATE FUNCTION complex_add(complex, complex) RETURNS complex
    LANGUAGE sql IMMUTABLE AS 'SELECT ROW($1.r + $2.r, $1.i + $2.i)::complex';
CREATE VIEW happy_people AS SELECT name, zip FROM person WHERE current_mood = 'happy';
COMMENT ON TYPE inventory_item IS 'an item in stock';
COMMENT ON DOMAIN us_postal_code IS 'US ZIP or ZIP+4';
