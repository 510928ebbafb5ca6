-- ticket numbers now start at 1000: a MINVALUE above the sequence's current value (ALTER
-- SEQUENCE must also RESTART inside the new bounds)
CREATE SEQUENCE serial MINVALUE 1000 START 1000;
CREATE TABLE tickets (
    ticket_no bigint DEFAULT nextval('serial') PRIMARY KEY,
    subject text
);
