-- the parent's key gone, its columns nullable again; one partition keeps its own NOT NULLs
-- ("a partition may have NOT NULL constraints its parent does not have")
CREATE TABLE measurement (
    city_id         int,
    logdate         date,
    peaktemp        int,
    unitsales       int
) PARTITION BY RANGE (logdate);
CREATE TABLE measurement_y2006m02 PARTITION OF measurement (
    city_id NOT NULL,
    peaktemp NOT NULL
) FOR VALUES FROM ('2006-02-01') TO ('2006-03-01');
CREATE TABLE measurement_y2006m03 PARTITION OF measurement
    FOR VALUES FROM ('2006-03-01') TO ('2006-04-01');
