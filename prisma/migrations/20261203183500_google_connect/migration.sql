-- Google consents in flight: the state only as its SHA-256, the PKCE verifier sealed.
CREATE TABLE "google_oauth_states" (
    "id" UUID NOT NULL,
    "business_id" UUID NOT NULL,
    "state_hash" TEXT NOT NULL,
    "key_id" TEXT NOT NULL,
    "verifier_ciphertext" TEXT NOT NULL,
    "redirect_uri" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "google_oauth_states_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "google_oauth_states_state_hash_key" ON "google_oauth_states"("state_hash");
CREATE INDEX "google_oauth_states_business_id_expires_at_idx" ON "google_oauth_states"("business_id", "expires_at");

ALTER TABLE "google_oauth_states" ADD CONSTRAINT "google_oauth_states_business_id_fkey" FOREIGN KEY ("business_id") REFERENCES "businesses"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "google_oauth_states" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "google_oauth_states" FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "google_oauth_states"
  USING (business_id = leadflow_tenant() OR current_user = 'leadflow_compliance')
  WITH CHECK (business_id = leadflow_tenant() OR current_user = 'leadflow_compliance');

-- The callback arrives from the browser with only the state: it is the one credential, so
-- the lookup takes the row (single use, atomically) and answers only what the exchange needs.
CREATE OR REPLACE FUNCTION leadflow_take_google_oauth_state(p_state_hash text)
  RETURNS TABLE (business_id uuid, key_id text, verifier_ciphertext text, redirect_uri text, expires_at timestamptz(3))
  LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
    DELETE FROM google_oauth_states s WHERE s.state_hash = p_state_hash
    RETURNING s.business_id, s.key_id, s.verifier_ciphertext, s.redirect_uri, s.expires_at
  $$;

REVOKE ALL ON FUNCTION leadflow_take_google_oauth_state(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION leadflow_take_google_oauth_state(text) TO leadflow_app;
