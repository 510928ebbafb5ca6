-- PostgreSQL docs, CREATE SEQUENCE: a sequence started at 101
CREATE SEQUENCE serial START 101;
CREATE TABLE tickets (
    ticket_no bigint DEFAULT nextval('serial') PRIMARY KEY,
    subject text
);
