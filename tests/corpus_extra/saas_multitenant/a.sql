-- multi-tenant SaaS: auth, billing, audit schemas, RLS by tenant
DO $$ BEGIN CREATE ROLE ddp_test_app NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
DO $$ BEGIN CREATE ROLE ddp_test_admin NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
DO $$ BEGIN CREATE ROLE ddp_test_readonly NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;

CREATE EXTENSION IF NOT EXISTS citext;
CREATE SCHEMA auth;
CREATE SCHEMA billing;
CREATE SCHEMA audit;

CREATE FUNCTION auth.current_tenant() RETURNS uuid LANGUAGE sql STABLE AS $$
    SELECT nullif(current_setting('app.tenant_id', true), '')::uuid
$$;

CREATE TABLE auth.tenants (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name text NOT NULL,
    plan text NOT NULL DEFAULT 'free',
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE auth.users (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id uuid NOT NULL REFERENCES auth.tenants ON DELETE CASCADE,
    email citext NOT NULL,
    password_hash text,
    role text NOT NULL DEFAULT 'member' CHECK (role IN ('owner', 'admin', 'member')),
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, email)
);
CREATE INDEX users_tenant_idx ON auth.users (tenant_id);
ALTER TABLE auth.users ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON auth.users
    USING (tenant_id = auth.current_tenant());

CREATE TABLE auth.api_keys (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id uuid NOT NULL REFERENCES auth.tenants ON DELETE CASCADE,
    key_hash bytea NOT NULL UNIQUE,
    scopes text[] NOT NULL DEFAULT '{}',
    expires_at timestamptz
);

CREATE TYPE billing.invoice_status AS ENUM ('draft', 'open', 'paid', 'void');
CREATE TABLE billing.subscriptions (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id uuid NOT NULL REFERENCES auth.tenants ON DELETE CASCADE,
    plan text NOT NULL,
    seats integer NOT NULL DEFAULT 1 CHECK (seats > 0),
    period tstzrange NOT NULL
);
CREATE TABLE billing.invoices (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id uuid NOT NULL REFERENCES auth.tenants ON DELETE CASCADE,
    subscription_id bigint REFERENCES billing.subscriptions,
    status billing.invoice_status NOT NULL DEFAULT 'draft',
    amount_cents bigint NOT NULL,
    currency char(3) NOT NULL DEFAULT 'USD',
    issued_at timestamptz
);
CREATE INDEX invoices_tenant_status_idx ON billing.invoices (tenant_id, status);
ALTER TABLE billing.invoices ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON billing.invoices
    USING (tenant_id = auth.current_tenant());
CREATE POLICY admin_all ON billing.invoices TO ddp_test_admin USING (true) WITH CHECK (true);

CREATE VIEW billing.open_invoices AS
    SELECT id, tenant_id, amount_cents, currency FROM billing.invoices WHERE status = 'open';

CREATE TABLE audit.log (
    id bigint GENERATED ALWAYS AS IDENTITY,
    tenant_id uuid,
    at timestamptz NOT NULL DEFAULT now(),
    actor uuid,
    action text NOT NULL,
    payload jsonb,
    PRIMARY KEY (id)
);
CREATE INDEX log_payload_idx ON audit.log USING gin (payload);

CREATE FUNCTION audit.record() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, audit AS $$
BEGIN
    INSERT INTO audit.log (tenant_id, action, payload)
    VALUES (auth.current_tenant(), TG_OP || ' ' || TG_TABLE_NAME, to_jsonb(NEW));
    RETURN NEW;
END $$;
CREATE TRIGGER audit_invoices AFTER INSERT OR UPDATE ON billing.invoices
    FOR EACH ROW EXECUTE FUNCTION audit.record();

GRANT USAGE ON SCHEMA auth, billing TO ddp_test_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA auth TO ddp_test_app;
GRANT SELECT, INSERT, UPDATE ON billing.invoices TO ddp_test_app;
GRANT USAGE ON SCHEMA audit TO ddp_test_readonly;
GRANT SELECT ON audit.log TO ddp_test_readonly;
GRANT EXECUTE ON FUNCTION auth.current_tenant() TO ddp_test_app;
REVOKE EXECUTE ON FUNCTION audit.record() FROM PUBLIC;
COMMENT ON SCHEMA audit IS 'append-only audit trail';
