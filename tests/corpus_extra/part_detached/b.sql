-- the docs' retention step: the oldest partition detached, kept as a table of its own (its
-- copies of the parent's key and index stay on it, now its own)
CREATE TABLE measurement (
    city_id         int not null,
    logdate         date not null,
    peaktemp        int,
    unitsales       int,
    PRIMARY KEY (city_id, logdate)
) PARTITION BY RANGE (logdate);
CREATE TABLE measurement_y2006m02 PARTITION OF measurement
    FOR VALUES FROM ('2006-02-01') TO ('2006-03-01');
CREATE TABLE measurement_y2006m03 PARTITION OF measurement
    FOR VALUES FROM ('2006-03-01') TO ('2006-04-01');
CREATE INDEX measurement_logdate_idx ON measurement (logdate);
ALTER TABLE measurement DETACH PARTITION measurement_y2006m02;
