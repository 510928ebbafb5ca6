-- docs: CREATE TRIGGER examples (WHEN, UPDATE OF, transition tables, constraint triggers)
CREATE TABLE accounts (
    id integer PRIMARY KEY,
    balance numeric NOT NULL DEFAULT 0,
    owner text,
    frozen boolean NOT NULL DEFAULT false
);
CREATE TABLE account_history (
    account_id integer,
    old_balance numeric,
    new_balance numeric,
    changed_at timestamptz DEFAULT now()
);
CREATE FUNCTION check_account_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.frozen THEN RAISE EXCEPTION 'account % is frozen', NEW.id; END IF;
    RETURN NEW;
END $$;
CREATE FUNCTION log_account_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO account_history (account_id, old_balance, new_balance) VALUES (OLD.id, OLD.balance, NEW.balance);
    RETURN NULL;
END $$;
CREATE FUNCTION view_insert_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO accounts (id, balance, owner) VALUES (NEW.id, NEW.balance, NEW.owner);
    RETURN NEW;
END $$;
CREATE TRIGGER check_update
    BEFORE UPDATE ON accounts
    FOR EACH ROW
    EXECUTE FUNCTION check_account_update();
CREATE TRIGGER log_update
    AFTER UPDATE ON accounts
    FOR EACH ROW
    WHEN (OLD.* IS DISTINCT FROM NEW.*)
    EXECUTE FUNCTION log_account_update();
CREATE VIEW account_view AS SELECT id, balance, owner FROM accounts;
CREATE TRIGGER view_insert
    INSTEAD OF INSERT ON account_view
    FOR EACH ROW
    EXECUTE FUNCTION view_insert_row();
ALTER TABLE accounts DISABLE TRIGGER log_update;
