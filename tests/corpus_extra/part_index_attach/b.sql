-- the docs' recipe completed: an index ON ONLY the parent, each partition's index attached,
-- so the parent index becomes valid
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
CREATE INDEX measurement_usls_idx ON ONLY measurement (unitsales);
CREATE INDEX measurement_usls_200602_idx ON measurement_y2006m02 (unitsales);
ALTER INDEX measurement_usls_idx ATTACH PARTITION measurement_usls_200602_idx;
CREATE INDEX measurement_usls_200603_idx ON measurement_y2006m03 (unitsales);
ALTER INDEX measurement_usls_idx ATTACH PARTITION measurement_usls_200603_idx;
