-- reservations per room (btree_gist), multiranges, a custom range used by a column and a function
CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE TABLE room (
    room_id int PRIMARY KEY,
    capacity int NOT NULL DEFAULT 2,
    open_hours tsmultirange
);
CREATE TABLE reservation (
    reservation_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    room int NOT NULL REFERENCES room ON DELETE CASCADE,
    during tsrange NOT NULL,
    booked_by text,
    CONSTRAINT no_double_booking EXCLUDE USING gist (room WITH =, during WITH &&) WHERE (booked_by IS NOT NULL),
    CONSTRAINT during_bounded CHECK (NOT (lower_inf(during) OR upper_inf(during)))
);
CREATE TABLE circles (
    c circle,
    EXCLUDE USING gist (c WITH &&) DEFERRABLE INITIALLY DEFERRED
);
CREATE TYPE floatrange AS RANGE (
    subtype = float8,
    subtype_diff = float8mi
);
CREATE TABLE price_band (
    band floatrange NOT NULL,
    label text,
    EXCLUDE USING gist (band WITH &&)
);
CREATE FUNCTION band_of(x float8) RETURNS text LANGUAGE sql STABLE
    RETURN (SELECT label FROM price_band WHERE band @> x);
CREATE INDEX reservation_during_idx ON reservation USING gist (during) INCLUDE (booked_by);
