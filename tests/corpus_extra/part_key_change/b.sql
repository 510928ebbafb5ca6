-- the same partitions, now split by city instead of by day (a partition key cannot be altered:
-- the table is made anew)
CREATE TABLE measurement (
    city_id         int not null,
    logdate         date not null,
    peaktemp        int,
    unitsales       int
) PARTITION BY RANGE (city_id);
CREATE TABLE measurement_low PARTITION OF measurement
    FOR VALUES FROM (MINVALUE) TO (1000);
CREATE TABLE measurement_high PARTITION OF measurement
    FOR VALUES FROM (1000) TO (MAXVALUE);
CREATE TABLE measurement_rest PARTITION OF measurement DEFAULT;
CREATE INDEX ON measurement (logdate);
