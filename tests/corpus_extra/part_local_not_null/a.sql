-- PostgreSQL docs 5.12 (table partitioning): the parent's primary key makes its columns NOT
-- NULL in every partition
CREATE TABLE measurement (
    city_id         int,
    logdate         date,
    peaktemp        int,
    unitsales       int,
    PRIMARY KEY (city_id, logdate)
) PARTITION BY RANGE (logdate);
CREATE TABLE measurement_y2006m02 PARTITION OF measurement
    FOR VALUES FROM ('2006-02-01') TO ('2006-03-01');
CREATE TABLE measurement_y2006m03 PARTITION OF measurement
    FOR VALUES FROM ('2006-03-01') TO ('2006-04-01');
