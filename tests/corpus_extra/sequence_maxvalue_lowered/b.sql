-- a small cycling sequence: a MAXVALUE below the current value (ALTER SEQUENCE must also
-- RESTART inside the new bounds)
CREATE SEQUENCE serial MAXVALUE 99 START 1 CYCLE;
CREATE TABLE tickets (
    ticket_no bigint DEFAULT nextval('serial') PRIMARY KEY,
    subject text
);
