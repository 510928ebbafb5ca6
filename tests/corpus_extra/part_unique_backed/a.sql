-- PostgreSQL docs 5.12.2.2: each partition got its own primary key while the parent had none
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
ALTER TABLE measurement_y2006m02 ADD CONSTRAINT measurement_y2006m02_pk PRIMARY KEY (city_id, logdate);
ALTER TABLE measurement_y2006m03 ADD CONSTRAINT measurement_y2006m03_pk PRIMARY KEY (city_id, logdate);
