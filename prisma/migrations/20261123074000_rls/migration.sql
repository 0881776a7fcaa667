-- Tenant isolation, enforced by Postgres itself (row-level security), and the roles the
-- application runs as. Hand-written: Prisma's schema language cannot express policies.
--
-- leadflow_app         every request and activity, inside a transaction that sets
--                      app.business_id; without it, customer-data tables show no rows.
-- leadflow_compliance  retention sweeps and tenant purges that must cross tenants; a
--                      member of leadflow_app, used only through SET LOCAL ROLE.
-- The runtime logs in as its own role, granted both (see db/roles.ts); migrations run as
-- the owner of the tables, which is never the runtime role.

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'leadflow_app') THEN
    CREATE ROLE leadflow_app NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'leadflow_compliance') THEN
    CREATE ROLE leadflow_compliance NOLOGIN;
  END IF;
END
$$;

GRANT leadflow_app TO leadflow_compliance;
GRANT USAGE ON SCHEMA public TO leadflow_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO leadflow_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO leadflow_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO leadflow_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO leadflow_app;

-- Migrations are the owner's business only. (The table is absent in Prisma's shadow
-- database, where migrations are replayed without it.)
DO $$
BEGIN
  IF to_regclass('public._prisma_migrations') IS NOT NULL THEN
    REVOKE ALL ON TABLE _prisma_migrations FROM leadflow_app;
  END IF;
END
$$;
-- The audit log and the deletion receipts are append-only for the application.
REVOKE UPDATE, DELETE, TRUNCATE ON TABLE audit_log FROM leadflow_app;
REVOKE UPDATE, DELETE, TRUNCATE ON TABLE deletion_receipts FROM leadflow_app;
-- Purging a cancelled tenant removes its audit trail too (it holds no personal data).
GRANT DELETE ON TABLE audit_log TO leadflow_compliance;

CREATE OR REPLACE FUNCTION leadflow_tenant() RETURNS uuid
  LANGUAGE sql STABLE
  AS $$ SELECT NULLIF(current_setting('app.business_id', true), '')::uuid $$;

-- One policy shape for every customer-data table: the row's tenant is the transaction's
-- tenant, unless the compliance role is acting.
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY[
    'services', 'business_secrets', 'api_keys', 'leads', 'consent_records', 'suppressions',
    'messages', 'appointments', 'privacy_requests', 'lead_data_keys', 'billing_records',
    'audit_log', 'deletion_receipts', 'retention_runs'
  ] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format(
      'CREATE POLICY tenant_isolation ON %I USING (business_id = leadflow_tenant() OR current_user = %L) WITH CHECK (business_id = leadflow_tenant() OR current_user = %L)',
      t, 'leadflow_compliance', 'leadflow_compliance');
  END LOOP;
END
$$;

ALTER TABLE businesses ENABLE ROW LEVEL SECURITY;
ALTER TABLE businesses FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON businesses
  USING (id = leadflow_tenant() OR current_user = 'leadflow_compliance')
  WITH CHECK (id = leadflow_tenant() OR current_user = 'leadflow_compliance');

-- Lookups that must happen before the tenant is known, each answering only what it must:
-- authenticating an API key, and routing an inbound SMS or a Stripe event to its business.
-- SECURITY DEFINER runs them as the table owner; search_path is pinned against hijacking.
CREATE OR REPLACE FUNCTION leadflow_find_api_key(p_lookup text)
  RETURNS TABLE (id uuid, business_id uuid, role text, hash text, revoked_at timestamptz(3))
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$ SELECT k.id, k.business_id, k.role, k.hash, k.revoked_at FROM api_keys k WHERE k.lookup = p_lookup $$;

CREATE OR REPLACE FUNCTION leadflow_business_by_sms_number(p_number text) RETURNS uuid
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$ SELECT b.id FROM businesses b WHERE b.sms_number = p_number $$;

CREATE OR REPLACE FUNCTION leadflow_business_by_stripe_customer(p_customer text) RETURNS uuid
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$ SELECT b.id FROM businesses b WHERE b.stripe_customer_id = p_customer $$;

REVOKE ALL ON FUNCTION leadflow_find_api_key(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION leadflow_business_by_sms_number(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION leadflow_business_by_stripe_customer(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION leadflow_find_api_key(text) TO leadflow_app;
GRANT EXECUTE ON FUNCTION leadflow_business_by_sms_number(text) TO leadflow_app;
GRANT EXECUTE ON FUNCTION leadflow_business_by_stripe_customer(text) TO leadflow_app;
