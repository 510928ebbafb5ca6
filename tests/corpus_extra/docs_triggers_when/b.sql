CREATE TABLE accounts (
    id integer PRIMARY KEY,
    balance numeric NOT NULL DEFAULT 0,
    owner text,
    frozen boolean NOT NULL DEFAULT false,
    updated_at timestamptz
);
CREATE TABLE account_history (
    account_id integer,
    old_balance numeric,
    new_balance numeric,
    changed_at timestamptz DEFAULT now()
);
CREATE FUNCTION check_account_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.frozen AND NEW.frozen THEN RAISE EXCEPTION 'account % is frozen', NEW.id; END IF;
    NEW.updated_at := now();
    RETURN NEW;
END $$;
CREATE FUNCTION log_account_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO account_history (account_id, old_balance, new_balance) VALUES (OLD.id, OLD.balance, NEW.balance);
    RETURN NULL;
END $$;
CREATE FUNCTION log_statement() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO account_history (account_id, old_balance, new_balance)
    SELECT n.id, o.balance, n.balance FROM new_table n JOIN old_table o USING (id);
    RETURN NULL;
END $$;
CREATE FUNCTION view_insert_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO accounts (id, balance, owner) VALUES (NEW.id, NEW.balance, NEW.owner);
    RETURN NEW;
END $$;
CREATE TRIGGER check_update
    BEFORE UPDATE OF balance, frozen ON accounts
    FOR EACH ROW
    WHEN (OLD.balance IS DISTINCT FROM NEW.balance OR NEW.frozen)
    EXECUTE FUNCTION check_account_update();
CREATE TRIGGER log_update
    AFTER UPDATE ON accounts
    FOR EACH ROW
    WHEN (OLD.balance IS DISTINCT FROM NEW.balance)
    EXECUTE FUNCTION log_account_update();
CREATE TRIGGER log_statement
    AFTER UPDATE ON accounts
    REFERENCING OLD TABLE AS old_table NEW TABLE AS new_table
    FOR EACH STATEMENT
    EXECUTE FUNCTION log_statement();
CREATE CONSTRAINT TRIGGER history_check
    AFTER INSERT ON account_history
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW
    EXECUTE FUNCTION log_account_update();
CREATE VIEW account_view AS SELECT id, balance, owner, frozen FROM accounts;
CREATE TRIGGER view_insert
    INSTEAD OF INSERT ON account_view
    FOR EACH ROW
    EXECUTE FUNCTION view_insert_row();
ALTER TABLE accounts ENABLE ALWAYS TRIGGER log_statement;
COMMENT ON TRIGGER log_update ON accounts IS 'only when the balance moves';
