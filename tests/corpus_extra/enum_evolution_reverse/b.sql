-- enums: values added in the middle and at the start, one removed, one renamed, an enum used
-- in a default, a CHECK, an index predicate, a view, a function signature, an array column
CREATE TYPE ticket_state AS ENUM ('open', 'in_progress', 'closed');
CREATE TYPE priority AS ENUM ('low', 'normal', 'high', 'urgent');
CREATE TYPE color AS ENUM ('red', 'green', 'blue');
CREATE TABLE tickets (
    id serial PRIMARY KEY,
    state ticket_state NOT NULL DEFAULT 'open',
    prio priority NOT NULL DEFAULT 'normal' CHECK (prio <> 'urgent' OR state <> 'closed'),
    labels color[] NOT NULL DEFAULT '{}'
);
CREATE INDEX tickets_open_idx ON tickets (prio) WHERE state = 'open';
CREATE VIEW open_tickets AS SELECT id, prio FROM tickets WHERE state = 'open';
CREATE FUNCTION tickets_in(s ticket_state) RETURNS bigint LANGUAGE sql STABLE AS
    'SELECT count(*) FROM tickets WHERE state = s';
