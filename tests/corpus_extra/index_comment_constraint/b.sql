-- COMMENT ON INDEX on the indexes that back the key and the unique constraint (each comment
-- belongs to the index, not to the constraint)
CREATE TABLE products (
    product_no integer CONSTRAINT products_pkey PRIMARY KEY,
    sku text CONSTRAINT products_sku_key UNIQUE,
    name text,
    price numeric CHECK (price > 0)
);
COMMENT ON TABLE products IS 'Products for sale';
COMMENT ON INDEX products_pkey IS 'Looked up by every order line';
COMMENT ON INDEX products_sku_key IS 'Scanned by the warehouse import';
COMMENT ON CONSTRAINT products_sku_key ON products IS 'One product per stock-keeping unit';
