-- multi-tenant SaaS, next release: FORCE RLS, more policies, a reports schema, audit partitioned
DO $$ BEGIN CREATE ROLE ddp_test_app NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
DO $$ BEGIN CREATE ROLE ddp_test_admin NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
DO $$ BEGIN CREATE ROLE ddp_test_readonly NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;

CREATE EXTENSION IF NOT EXISTS citext;
CREATE SCHEMA auth;
CREATE SCHEMA billing;
CREATE SCHEMA audit;
CREATE SCHEMA reports;

CREATE FUNCTION auth.current_tenant() RETURNS uuid LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT nullif(current_setting('app.tenant_id', true), '')::uuid
$$;
CREATE FUNCTION auth.is_admin() RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT coalesce(current_setting('app.is_admin', true), '') = 'on'
$$;

CREATE TABLE auth.tenants (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name text NOT NULL,
    slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9-]+$'),
    plan text NOT NULL DEFAULT 'free',
    created_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz
);
CREATE TABLE auth.users (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id uuid NOT NULL REFERENCES auth.tenants ON DELETE CASCADE,
    email citext NOT NULL,
    password_hash text,
    role text NOT NULL DEFAULT 'member' CHECK (role IN ('owner', 'admin', 'member', 'guest')),
    mfa_enabled boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, email)
);
CREATE INDEX users_tenant_idx ON auth.users (tenant_id);
ALTER TABLE auth.users ENABLE ROW LEVEL SECURITY;
ALTER TABLE auth.users FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON auth.users
    USING (tenant_id = auth.current_tenant() OR auth.is_admin());
CREATE POLICY self_update ON auth.users AS RESTRICTIVE FOR UPDATE TO ddp_test_app
    USING (id = nullif(current_setting('app.user_id', true), '')::uuid);

CREATE TABLE auth.api_keys (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id uuid NOT NULL REFERENCES auth.tenants ON DELETE CASCADE,
    user_id uuid REFERENCES auth.users ON DELETE SET NULL,
    key_hash bytea NOT NULL UNIQUE,
    scopes text[] NOT NULL DEFAULT '{read}',
    expires_at timestamptz NOT NULL DEFAULT now() + interval '90 days'
);
ALTER TABLE auth.api_keys ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON auth.api_keys USING (tenant_id = auth.current_tenant());

CREATE TYPE billing.invoice_status AS ENUM ('draft', 'open', 'overdue', 'paid', 'void', 'refunded');
CREATE TABLE billing.subscriptions (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id uuid NOT NULL REFERENCES auth.tenants ON DELETE CASCADE,
    plan text NOT NULL,
    seats integer NOT NULL DEFAULT 1 CHECK (seats > 0),
    period tstzrange NOT NULL,
    cancelled_at timestamptz
);
CREATE TABLE billing.invoices (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id uuid NOT NULL REFERENCES auth.tenants ON DELETE CASCADE,
    subscription_id bigint REFERENCES billing.subscriptions ON DELETE SET NULL,
    status billing.invoice_status NOT NULL DEFAULT 'draft',
    amount numeric(14,2) NOT NULL,
    currency char(3) NOT NULL DEFAULT 'EUR',
    issued_at timestamptz,
    due_at timestamptz
);
CREATE INDEX invoices_tenant_status_idx ON billing.invoices (tenant_id, status);
CREATE INDEX invoices_due_idx ON billing.invoices (due_at) WHERE status IN ('open', 'overdue');
ALTER TABLE billing.invoices ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON billing.invoices
    USING (tenant_id = auth.current_tenant());
CREATE POLICY tenant_insert ON billing.invoices FOR INSERT TO ddp_test_app
    WITH CHECK (tenant_id = auth.current_tenant() AND status = 'draft');

CREATE VIEW billing.open_invoices WITH (security_barrier) AS
    SELECT id, tenant_id, amount, currency, due_at FROM billing.invoices WHERE status IN ('open', 'overdue');

CREATE VIEW reports.revenue_by_tenant AS
    SELECT t.slug, i.currency, sum(i.amount) AS revenue
    FROM billing.invoices i JOIN auth.tenants t ON t.id = i.tenant_id
    WHERE i.status = 'paid'
    GROUP BY t.slug, i.currency;

CREATE TABLE audit.log (
    id bigint GENERATED ALWAYS AS IDENTITY,
    tenant_id uuid,
    at timestamptz NOT NULL DEFAULT now(),
    actor uuid,
    action text NOT NULL,
    payload jsonb,
    PRIMARY KEY (id)
);
CREATE INDEX log_payload_idx ON audit.log USING gin (payload jsonb_path_ops);
CREATE INDEX log_tenant_at_idx ON audit.log (tenant_id, at DESC);

CREATE FUNCTION audit.record() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, audit AS $$
BEGIN
    INSERT INTO audit.log (tenant_id, actor, action, payload)
    VALUES (auth.current_tenant(), nullif(current_setting('app.user_id', true), '')::uuid,
            TG_OP || ' ' || TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME, to_jsonb(NEW));
    RETURN NEW;
END $$;
CREATE TRIGGER audit_invoices AFTER INSERT OR UPDATE OR DELETE ON billing.invoices
    FOR EACH ROW EXECUTE FUNCTION audit.record();
CREATE TRIGGER audit_users AFTER INSERT OR UPDATE ON auth.users
    FOR EACH ROW EXECUTE FUNCTION audit.record();

GRANT USAGE ON SCHEMA auth, billing TO ddp_test_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA auth TO ddp_test_app;
GRANT SELECT, INSERT, UPDATE ON billing.invoices TO ddp_test_app;
GRANT SELECT ON billing.open_invoices TO ddp_test_app;
GRANT UPDATE (status, due_at) ON billing.invoices TO ddp_test_admin;
GRANT USAGE ON SCHEMA audit, reports TO ddp_test_readonly;
GRANT SELECT ON audit.log TO ddp_test_readonly;
GRANT SELECT ON ALL TABLES IN SCHEMA reports TO ddp_test_readonly;
GRANT EXECUTE ON FUNCTION auth.current_tenant() TO ddp_test_app;
REVOKE EXECUTE ON FUNCTION audit.record() FROM PUBLIC;
COMMENT ON SCHEMA audit IS 'append-only audit trail, partition me';
COMMENT ON SCHEMA reports IS 'read-only reporting views';
COMMENT ON POLICY tenant_isolation ON billing.invoices IS 'one tenant sees its own invoices';
