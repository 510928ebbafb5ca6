-- measurement example after maintenance: oldest partitions detached away, new ones attached,
-- a default partition, a sub-partitioned partition, a unique key on the parent
CREATE TABLE measurement (
    city_id         int not null,
    logdate         date not null,
    peaktemp        int,
    unitsales       int,
    PRIMARY KEY (city_id, logdate)
) PARTITION BY RANGE (logdate);
CREATE TABLE measurement_y2007m11 PARTITION OF measurement
    FOR VALUES FROM ('2007-11-01') TO ('2007-12-01');
CREATE TABLE measurement_y2007m12 PARTITION OF measurement
    FOR VALUES FROM ('2007-12-01') TO ('2008-01-01')
    WITH (parallel_workers = 4);
CREATE TABLE measurement_y2008m01 PARTITION OF measurement
    FOR VALUES FROM ('2008-01-01') TO ('2008-02-01')
    WITH (parallel_workers = 8);
CREATE TABLE measurement_y2008m02 PARTITION OF measurement
    FOR VALUES FROM ('2008-02-01') TO ('2008-03-01');
ALTER TABLE measurement_y2008m02 ADD CONSTRAINT y2008m02
   CHECK ( logdate >= DATE '2008-02-01' AND logdate < DATE '2008-03-01' );
CREATE TABLE measurement_y2008m03 PARTITION OF measurement
    FOR VALUES FROM ('2008-03-01') TO ('2008-04-01')
    PARTITION BY RANGE (city_id);
CREATE TABLE measurement_y2008m03_c1 PARTITION OF measurement_y2008m03 FOR VALUES FROM (0) TO (1000);
CREATE TABLE measurement_y2008m03_c2 PARTITION OF measurement_y2008m03 FOR VALUES FROM (1000) TO (MAXVALUE);
CREATE TABLE measurement_default PARTITION OF measurement DEFAULT;
CREATE INDEX ON measurement (logdate);
CREATE INDEX measurement_peak_idx ON measurement (peaktemp) WHERE peaktemp > 30;

CREATE TABLE cities (
    city_id      bigserial not null,
    name         text not null,
    population   bigint
) PARTITION BY LIST (left(lower(name), 1));
CREATE TABLE cities_ab PARTITION OF cities (
    CONSTRAINT city_id_nonzero CHECK (city_id != 0)
) FOR VALUES IN ('a', 'b');
CREATE TABLE cities_cd PARTITION OF cities FOR VALUES IN ('c', 'd');
CREATE TABLE cities_other PARTITION OF cities DEFAULT;

CREATE TABLE orders (order_id bigint not null, customer text, amount numeric(12,2)) PARTITION BY HASH (order_id);
CREATE TABLE orders_p0 PARTITION OF orders FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE orders_p1 PARTITION OF orders FOR VALUES WITH (MODULUS 2, REMAINDER 1);
CREATE INDEX orders_customer_idx ON orders (customer);
