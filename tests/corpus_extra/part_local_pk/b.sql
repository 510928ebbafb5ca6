-- the parent's key dropped; each partition keeps a key of its own ("indexes and unique
-- constraints can be created on individual partitions"), one a unique constraint only
CREATE TABLE measurement (
    city_id         int not null,
    logdate         date not null,
    peaktemp        int,
    unitsales       int
) PARTITION BY RANGE (logdate);
CREATE TABLE measurement_y2006m02 PARTITION OF measurement (
    PRIMARY KEY (city_id, logdate)
) FOR VALUES FROM ('2006-02-01') TO ('2006-03-01');
CREATE TABLE measurement_y2006m03 PARTITION OF measurement (
    CONSTRAINT measurement_y2006m03_city_day UNIQUE (city_id, logdate)
) FOR VALUES FROM ('2006-03-01') TO ('2006-04-01');
