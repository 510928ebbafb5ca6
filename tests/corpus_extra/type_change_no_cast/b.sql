-- the column is now a timestamp: there is no cast from bigint to timestamp, the conversion
-- needs to_timestamp(happened_at) from the user
CREATE TABLE events (
    event_id bigint PRIMARY KEY,
    kind text NOT NULL,
    happened_at timestamp
);
INSERT INTO events VALUES (1, 'signup', '2006-01-01 00:00:00'), (2, 'login', '2006-01-01 01:00:00');
