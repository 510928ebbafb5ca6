-- pagila/dvdrental-like rental schema (written from memory), evolved
DO $$ BEGIN CREATE ROLE ddp_test_staff NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;

CREATE DOMAIN year AS integer CONSTRAINT year_check CHECK (VALUE >= 1888 AND VALUE <= 2155);
CREATE DOMAIN bank_money AS numeric(7,2) CHECK (VALUE >= 0);
-- a new rating in the middle, and one at the end
CREATE TYPE mpaa_rating AS ENUM ('G', 'PG', 'PG-13', 'R', 'NC-17', 'NR');

CREATE FUNCTION last_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.last_update = CURRENT_TIMESTAMP;
    RETURN NEW;
END $$;

CREATE TABLE language (
    language_id serial PRIMARY KEY,
    name text NOT NULL UNIQUE,
    last_update timestamp with time zone DEFAULT now() NOT NULL
);

CREATE TABLE actor (
    actor_id serial PRIMARY KEY,
    first_name text NOT NULL,
    last_name text NOT NULL,
    birth_date date,
    last_update timestamp with time zone DEFAULT now() NOT NULL
);
CREATE INDEX idx_actor_last_name ON actor (last_name, first_name);

CREATE TABLE category (
    category_id serial PRIMARY KEY,
    name text NOT NULL,
    parent_id integer REFERENCES category,
    last_update timestamp with time zone DEFAULT now() NOT NULL
);

CREATE TABLE film (
    film_id serial PRIMARY KEY,
    title text NOT NULL,
    description text,
    release_year year,
    language_id integer NOT NULL REFERENCES language ON UPDATE CASCADE ON DELETE RESTRICT,
    original_language_id integer REFERENCES language ON UPDATE CASCADE ON DELETE SET NULL,
    rental_duration smallint DEFAULT 5 NOT NULL CHECK (rental_duration > 0),
    rental_rate bank_money DEFAULT 4.99 NOT NULL,
    length integer,
    replacement_cost bank_money DEFAULT 19.99 NOT NULL,
    rating mpaa_rating DEFAULT 'NR'::mpaa_rating,
    last_update timestamp with time zone DEFAULT now() NOT NULL,
    special_features text[],
    fulltext tsvector NOT NULL
);
CREATE INDEX film_fulltext_idx ON film USING gin (fulltext);
CREATE INDEX idx_title ON film (lower(title));
CREATE INDEX idx_fk_language_id ON film (language_id);
CREATE INDEX idx_fk_original_language_id ON film (original_language_id) WHERE original_language_id IS NOT NULL;

CREATE TABLE film_actor (
    actor_id integer NOT NULL REFERENCES actor ON UPDATE CASCADE ON DELETE CASCADE,
    film_id integer NOT NULL REFERENCES film ON UPDATE CASCADE ON DELETE CASCADE,
    last_update timestamp with time zone DEFAULT now() NOT NULL,
    PRIMARY KEY (actor_id, film_id)
);
CREATE INDEX idx_fk_film_id ON film_actor (film_id);

CREATE TABLE film_category (
    film_id integer NOT NULL REFERENCES film ON UPDATE CASCADE ON DELETE RESTRICT,
    category_id integer NOT NULL REFERENCES category ON UPDATE CASCADE ON DELETE RESTRICT,
    last_update timestamp with time zone DEFAULT now() NOT NULL,
    PRIMARY KEY (film_id, category_id)
);

CREATE TABLE store (
    store_id serial PRIMARY KEY,
    manager_staff_id integer NOT NULL,
    last_update timestamp with time zone DEFAULT now() NOT NULL
);

CREATE TABLE customer (
    customer_id serial PRIMARY KEY,
    store_id integer NOT NULL REFERENCES store ON UPDATE CASCADE ON DELETE RESTRICT,
    first_name text NOT NULL,
    last_name text NOT NULL,
    email text,
    activebool boolean DEFAULT true NOT NULL,
    create_date date DEFAULT CURRENT_DATE NOT NULL,
    last_update timestamp with time zone DEFAULT now()
);
CREATE INDEX idx_last_name ON customer (last_name);
CREATE UNIQUE INDEX customer_email_key ON customer (lower(email)) WHERE email IS NOT NULL;

CREATE TABLE inventory (
    inventory_id serial PRIMARY KEY,
    film_id integer NOT NULL REFERENCES film ON UPDATE CASCADE ON DELETE RESTRICT,
    store_id integer NOT NULL REFERENCES store ON UPDATE CASCADE ON DELETE RESTRICT,
    last_update timestamp with time zone DEFAULT now() NOT NULL
);
CREATE INDEX idx_store_id_film_id ON inventory (store_id, film_id);

CREATE TABLE rental (
    rental_id bigserial PRIMARY KEY,
    rental_date timestamp with time zone NOT NULL,
    inventory_id integer NOT NULL REFERENCES inventory ON UPDATE CASCADE ON DELETE RESTRICT,
    customer_id integer NOT NULL REFERENCES customer ON UPDATE CASCADE ON DELETE RESTRICT,
    return_date timestamp with time zone,
    staff_id integer NOT NULL,
    last_update timestamp with time zone DEFAULT now() NOT NULL,
    CHECK (return_date IS NULL OR return_date >= rental_date)
);
CREATE UNIQUE INDEX idx_unq_rental_rental_date_inventory_id_customer_id ON rental (rental_date, inventory_id, customer_id);

CREATE TABLE payment (
    payment_id serial NOT NULL,
    customer_id integer NOT NULL,
    staff_id integer NOT NULL,
    rental_id bigint NOT NULL,
    amount bank_money NOT NULL,
    payment_date timestamp with time zone NOT NULL,
    PRIMARY KEY (payment_date, payment_id)
) PARTITION BY RANGE (payment_date);
-- January detached (dropped here), February kept, March kept, April added, plus a default
CREATE TABLE payment_p2022_02 PARTITION OF payment FOR VALUES FROM ('2022-02-01 00:00:00+00') TO ('2022-03-01 00:00:00+00');
CREATE TABLE payment_p2022_03 PARTITION OF payment FOR VALUES FROM ('2022-03-01 00:00:00+00') TO ('2022-04-01 00:00:00+00');
CREATE TABLE payment_p2022_04 PARTITION OF payment FOR VALUES FROM ('2022-04-01 00:00:00+00') TO ('2022-05-01 00:00:00+00');
CREATE TABLE payment_default PARTITION OF payment DEFAULT;
CREATE INDEX idx_fk_payment_customer ON payment (customer_id);
CREATE INDEX idx_fk_payment_rental ON payment (rental_id);

CREATE TRIGGER last_updated BEFORE UPDATE ON actor FOR EACH ROW EXECUTE FUNCTION last_updated();
CREATE TRIGGER last_updated BEFORE UPDATE ON film FOR EACH ROW EXECUTE FUNCTION last_updated();
CREATE TRIGGER last_updated BEFORE UPDATE ON customer FOR EACH ROW EXECUTE FUNCTION last_updated();
CREATE TRIGGER last_updated BEFORE UPDATE ON store FOR EACH ROW EXECUTE FUNCTION last_updated();
CREATE TRIGGER film_fulltext_trigger BEFORE INSERT OR UPDATE OF title, description ON film
    FOR EACH ROW EXECUTE FUNCTION tsvector_update_trigger('fulltext', 'pg_catalog.english', 'title', 'description');

CREATE VIEW actor_info AS
SELECT a.actor_id, a.first_name, a.last_name, a.birth_date,
       count(DISTINCT fa.film_id) AS film_count
FROM actor a LEFT JOIN film_actor fa ON fa.actor_id = a.actor_id
GROUP BY a.actor_id, a.first_name, a.last_name, a.birth_date;

CREATE VIEW film_list AS
SELECT film.film_id AS fid, film.title, film.description, category.name AS category,
       film.rental_rate AS price, film.length, film.rating, l.name AS language
FROM category
LEFT JOIN film_category ON category.category_id = film_category.category_id
LEFT JOIN film ON film_category.film_id = film.film_id
LEFT JOIN language l ON l.language_id = film.language_id;

CREATE VIEW nicer_but_slower_film_list AS
SELECT fid, initcap(title) AS title, price, rating FROM film_list;

CREATE FUNCTION film_in_stock(p_film_id integer, p_store_id integer)
RETURNS SETOF integer LANGUAGE sql STABLE AS $$
    SELECT inventory_id FROM inventory WHERE film_id = $1 AND store_id = $2;
$$;

CREATE FUNCTION get_customer_balance(p_customer_id integer, p_effective_date timestamp with time zone DEFAULT now())
RETURNS numeric LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_payments numeric(7,2);
BEGIN
    SELECT coalesce(sum(amount), 0) INTO v_payments FROM payment
    WHERE payment_date <= p_effective_date AND customer_id = p_customer_id;
    RETURN -v_payments;
END $$;

CREATE MATERIALIZED VIEW rental_by_category AS
SELECT c.name AS category, sum(p.amount) AS total_sales, count(*) AS rentals
FROM payment p
JOIN rental r ON p.rental_id = r.rental_id
JOIN inventory i ON r.inventory_id = i.inventory_id
JOIN film f ON i.film_id = f.film_id
JOIN film_category fc ON f.film_id = fc.film_id
JOIN category c ON fc.category_id = c.category_id
GROUP BY c.name
ORDER BY sum(p.amount) DESC
WITH NO DATA;
CREATE UNIQUE INDEX rental_category ON rental_by_category (category);

GRANT SELECT ON film, actor, category, store TO ddp_test_staff;
GRANT SELECT (customer_id, first_name, last_name) ON customer TO ddp_test_staff;
COMMENT ON TABLE film IS 'films in the catalogue (all stores)';
COMMENT ON COLUMN film.fulltext IS 'maintained by film_fulltext_trigger';
COMMENT ON DOMAIN year IS 'a release year';
