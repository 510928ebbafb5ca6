-- the identity switched to a unique index over NOT NULL columns: REPLICA IDENTITY USING INDEX
CREATE TABLE subscribers (
    subscriber_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL,
    signed_up date NOT NULL
);
CREATE UNIQUE INDEX subscribers_email_key ON subscribers (email);
ALTER TABLE subscribers REPLICA IDENTITY USING INDEX subscribers_email_key;
