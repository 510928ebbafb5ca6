-- events stamped with Unix epoch seconds in a bigint (docs 9.9: to_timestamp(double precision))
CREATE TABLE events (
    event_id bigint PRIMARY KEY,
    kind text NOT NULL,
    happened_at bigint
);
INSERT INTO events VALUES (1, 'signup', 1136073600), (2, 'login', 1136077200);
