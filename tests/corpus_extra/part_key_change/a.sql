-- PostgreSQL docs 5.12: the measurement table partitioned by range of the day
CREATE TABLE measurement (
    city_id         int not null,
    logdate         date not null,
    peaktemp        int,
    unitsales       int
) PARTITION BY RANGE (logdate);
CREATE TABLE measurement_low PARTITION OF measurement
    FOR VALUES FROM ('2006-01-01') TO ('2007-01-01');
CREATE TABLE measurement_high PARTITION OF measurement
    FOR VALUES FROM ('2007-01-01') TO (MAXVALUE);
CREATE TABLE measurement_rest PARTITION OF measurement DEFAULT;
CREATE INDEX ON measurement (logdate);
