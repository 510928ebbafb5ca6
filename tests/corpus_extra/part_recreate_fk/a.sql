-- a partitioned table that other tables reference (docs 5.12: foreign keys to partitioned
-- tables are allowed when the key covers the partition key), partitioned by list of region
CREATE TABLE accounts (
    account_id bigint NOT NULL,
    region text NOT NULL,
    holder text,
    PRIMARY KEY (account_id, region)
) PARTITION BY LIST (region);
CREATE TABLE accounts_eu PARTITION OF accounts FOR VALUES IN ('eu');
CREATE TABLE accounts_us PARTITION OF accounts FOR VALUES IN ('us');
CREATE TABLE accounts_other PARTITION OF accounts DEFAULT;
CREATE TABLE payments (
    payment_id bigint PRIMARY KEY,
    account_id bigint NOT NULL,
    region text NOT NULL,
    amount numeric(12,2),
    FOREIGN KEY (account_id, region) REFERENCES accounts (account_id, region)
);
