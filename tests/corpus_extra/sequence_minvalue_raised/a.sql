-- PostgreSQL docs, CREATE SEQUENCE: "CREATE SEQUENCE serial START 101", not used yet
CREATE SEQUENCE serial START 101;
CREATE TABLE tickets (
    ticket_no bigint DEFAULT nextval('serial') PRIMARY KEY,
    subject text
);
