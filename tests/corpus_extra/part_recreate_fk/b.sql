-- the same table partitioned by hash of the account instead (a new partitioning strategy
-- means a new table), still referenced by payments
CREATE TABLE accounts (
    account_id bigint NOT NULL,
    region text NOT NULL,
    holder text,
    PRIMARY KEY (account_id, region)
) PARTITION BY HASH (account_id);
CREATE TABLE accounts_h0 PARTITION OF accounts FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE accounts_h1 PARTITION OF accounts FOR VALUES WITH (MODULUS 2, REMAINDER 1);
CREATE TABLE payments (
    payment_id bigint PRIMARY KEY,
    account_id bigint NOT NULL,
    region text NOT NULL,
    amount numeric(12,2),
    FOREIGN KEY (account_id, region) REFERENCES accounts (account_id, region)
);
