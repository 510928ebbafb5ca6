-- PostgreSQL docs 5.12.2.2: indexes built on each partition first (CONCURRENTLY in the docs,
-- one partition at a time), before the parent has an index of its own
CREATE TABLE measurement (
    city_id         int not null,
    logdate         date not null,
    peaktemp        int,
    unitsales       int
) PARTITION BY RANGE (logdate);
CREATE TABLE measurement_y2006m02 PARTITION OF measurement
    FOR VALUES FROM ('2006-02-01') TO ('2006-03-01');
CREATE TABLE measurement_y2006m03 PARTITION OF measurement
    FOR VALUES FROM ('2006-03-01') TO ('2006-04-01');
CREATE INDEX measurement_usls_200602_idx ON measurement_y2006m02 (unitsales);
CREATE INDEX measurement_usls_200603_idx ON measurement_y2006m03 (unitsales);
