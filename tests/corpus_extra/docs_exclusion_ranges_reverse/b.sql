-- docs: range types (8.17) and exclusion constraints (5.4.6), room reservations
CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE TABLE room (
    room_id int PRIMARY KEY,
    capacity int
);
CREATE TABLE reservation (
    room int REFERENCES room,
    during tsrange,
    booked_by text,
    EXCLUDE USING gist (during WITH &&)
);
CREATE TABLE circles (
    c circle,
    EXCLUDE USING gist (c WITH &&)
);
CREATE TYPE floatrange AS RANGE (
    subtype = float8,
    subtype_diff = float8mi
);
CREATE TABLE price_band (
    band floatrange NOT NULL,
    label text
);
CREATE INDEX reservation_during_idx ON reservation USING gist (during);
