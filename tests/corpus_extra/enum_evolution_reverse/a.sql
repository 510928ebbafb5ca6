CREATE TYPE ticket_state AS ENUM ('new', 'open', 'in_progress', 'blocked', 'closed');
CREATE TYPE priority AS ENUM ('low', 'normal', 'high');
CREATE TYPE color AS ENUM ('red', 'green', 'blue', 'black');
CREATE TABLE tickets (
    id serial PRIMARY KEY,
    state ticket_state NOT NULL DEFAULT 'new',
    prio priority NOT NULL DEFAULT 'normal' CHECK (prio <> 'high' OR state <> 'closed'),
    labels color[] NOT NULL DEFAULT '{black}'
);
CREATE INDEX tickets_open_idx ON tickets (prio) WHERE state IN ('new', 'open');
CREATE VIEW open_tickets AS SELECT id, prio, state FROM tickets WHERE state < 'closed';
CREATE FUNCTION tickets_in(s ticket_state) RETURNS bigint LANGUAGE sql STABLE AS
    'SELECT count(*) FROM tickets WHERE state = s';
