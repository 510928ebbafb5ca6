-- PostgreSQL docs 5.4 (constraints): a table whose primary key and unique constraint are
-- backed by indexes of the same names
CREATE TABLE products (
    product_no integer CONSTRAINT products_pkey PRIMARY KEY,
    sku text CONSTRAINT products_sku_key UNIQUE,
    name text,
    price numeric CHECK (price > 0)
);
COMMENT ON TABLE products IS 'Products for sale';
