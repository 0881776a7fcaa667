-- People who sign in to the app: one business each, the same roles as API keys.
CREATE TABLE "users" (
    "id" UUID NOT NULL,
    "business_id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT NOT NULL DEFAULT '',
    "role" TEXT NOT NULL,
    "password_hash" TEXT NOT NULL,
    "totp_secret" TEXT,
    "totp_enabled_at" TIMESTAMPTZ(3),
    "failed_sign_ins" INTEGER NOT NULL DEFAULT 0,
    "failure_window_start" TIMESTAMPTZ(3),
    "locked_until" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_sign_in_at" TIMESTAMPTZ(3),

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "user_sessions" (
    "id" UUID NOT NULL,
    "business_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "sid_hash" TEXT NOT NULL,
    "data" JSONB NOT NULL DEFAULT '{}',
    "user_agent" TEXT NOT NULL DEFAULT '',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "absolute_expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "user_sessions_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "invitations" (
    "id" UUID NOT NULL,
    "business_id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "token_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "accepted_at" TIMESTAMPTZ(3),

    CONSTRAINT "invitations_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "password_resets" (
    "id" UUID NOT NULL,
    "business_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "token_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "used_at" TIMESTAMPTZ(3),

    CONSTRAINT "password_resets_pkey" PRIMARY KEY ("id")
);

-- Who acted, when a person (not a key) did: an id, never the person.
ALTER TABLE "audit_log" ADD COLUMN "actor_user_id" UUID;

CREATE UNIQUE INDEX "users_business_id_email_key" ON "users"("business_id", "email");
CREATE INDEX "users_email_idx" ON "users"("email");
CREATE UNIQUE INDEX "user_sessions_sid_hash_key" ON "user_sessions"("sid_hash");
CREATE INDEX "user_sessions_user_id_idx" ON "user_sessions"("user_id");
CREATE INDEX "user_sessions_business_id_expires_at_idx" ON "user_sessions"("business_id", "expires_at");
CREATE UNIQUE INDEX "invitations_token_hash_key" ON "invitations"("token_hash");
CREATE INDEX "invitations_business_id_expires_at_idx" ON "invitations"("business_id", "expires_at");
CREATE UNIQUE INDEX "password_resets_token_hash_key" ON "password_resets"("token_hash");
CREATE INDEX "password_resets_user_id_idx" ON "password_resets"("user_id");

ALTER TABLE "users" ADD CONSTRAINT "users_business_id_fkey" FOREIGN KEY ("business_id") REFERENCES "businesses"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "user_sessions" ADD CONSTRAINT "user_sessions_business_id_fkey" FOREIGN KEY ("business_id") REFERENCES "businesses"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "user_sessions" ADD CONSTRAINT "user_sessions_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "invitations" ADD CONSTRAINT "invitations_business_id_fkey" FOREIGN KEY ("business_id") REFERENCES "businesses"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "password_resets" ADD CONSTRAINT "password_resets_business_id_fkey" FOREIGN KEY ("business_id") REFERENCES "businesses"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "password_resets" ADD CONSTRAINT "password_resets_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The tenant policy of every customer-data table.
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['users', 'user_sessions', 'invitations', 'password_resets'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format(
      'CREATE POLICY tenant_isolation ON %I USING (business_id = leadflow_tenant() OR current_user = %L) WITH CHECK (business_id = leadflow_tenant() OR current_user = %L)',
      t, 'leadflow_compliance', 'leadflow_compliance');
  END LOOP;
END
$$;

-- Lookups before the tenant is known, like leadflow_find_api_key: each answers only what
-- authenticating needs, by an email, or by the hash of a secret the caller holds.
CREATE OR REPLACE FUNCTION leadflow_find_users_by_email(p_email text)
  RETURNS TABLE (id uuid, business_id uuid, role text, password_hash text, totp_secret text,
                 totp_enabled_at timestamptz(3), locked_until timestamptz(3))
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
    SELECT u.id, u.business_id, u.role, u.password_hash, u.totp_secret, u.totp_enabled_at, u.locked_until
    FROM users u WHERE u.email = p_email ORDER BY u.created_at LIMIT 10
  $$;

-- A live session only: neither idle past expires_at nor older than its absolute limit.
CREATE OR REPLACE FUNCTION leadflow_find_user_session(p_sid_hash text, p_now timestamptz)
  RETURNS TABLE (id uuid, business_id uuid, user_id uuid, role text, data jsonb)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
    SELECT s.id, s.business_id, s.user_id, u.role, s.data FROM user_sessions s JOIN users u ON u.id = s.user_id
    WHERE s.sid_hash = p_sid_hash AND s.expires_at > p_now AND s.absolute_expires_at > p_now
  $$;

-- Signing out by the cookie's id (only its holder knows it).
CREATE OR REPLACE FUNCTION leadflow_end_user_session(p_sid_hash text) RETURNS void
  LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$ DELETE FROM user_sessions WHERE sid_hash = p_sid_hash $$;

CREATE OR REPLACE FUNCTION leadflow_find_invitation(p_token_hash text)
  RETURNS TABLE (id uuid, business_id uuid, expires_at timestamptz(3), accepted_at timestamptz(3))
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$ SELECT i.id, i.business_id, i.expires_at, i.accepted_at FROM invitations i WHERE i.token_hash = p_token_hash $$;

CREATE OR REPLACE FUNCTION leadflow_find_password_reset(p_token_hash text)
  RETURNS TABLE (id uuid, business_id uuid, expires_at timestamptz(3), used_at timestamptz(3))
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$ SELECT r.id, r.business_id, r.expires_at, r.used_at FROM password_resets r WHERE r.token_hash = p_token_hash $$;

REVOKE ALL ON FUNCTION leadflow_find_users_by_email(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION leadflow_find_user_session(text, timestamptz) FROM PUBLIC;
REVOKE ALL ON FUNCTION leadflow_end_user_session(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION leadflow_find_invitation(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION leadflow_find_password_reset(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION leadflow_find_users_by_email(text) TO leadflow_app;
GRANT EXECUTE ON FUNCTION leadflow_find_user_session(text, timestamptz) TO leadflow_app;
GRANT EXECUTE ON FUNCTION leadflow_end_user_session(text) TO leadflow_app;
GRANT EXECUTE ON FUNCTION leadflow_find_invitation(text) TO leadflow_app;
GRANT EXECUTE ON FUNCTION leadflow_find_password_reset(text) TO leadflow_app;
