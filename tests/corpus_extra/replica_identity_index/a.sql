-- PostgreSQL docs, ALTER TABLE ... REPLICA IDENTITY: a table published for logical
-- replication with the default identity (its primary key)
CREATE TABLE subscribers (
    subscriber_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL,
    signed_up date NOT NULL
);
CREATE UNIQUE INDEX subscribers_email_key ON subscribers (email);
