-- CreateTable
CREATE TABLE "idempotency_claims" (
    "business_id" UUID NOT NULL,
    "digest" TEXT NOT NULL,
    "lead_id" UUID NOT NULL,
    "request_hash" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "idempotency_claims_pkey" PRIMARY KEY ("business_id","digest")
);

-- CreateTable
CREATE TABLE "codec_sessions" (
    "id" UUID NOT NULL,
    "business_id" UUID NOT NULL,
    "api_key_id" UUID NOT NULL,
    "token_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "codec_sessions_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "idempotency_claims_business_id_expires_at_idx" ON "idempotency_claims"("business_id", "expires_at");

-- CreateIndex
CREATE INDEX "idempotency_claims_lead_id_idx" ON "idempotency_claims"("lead_id");

-- CreateIndex
CREATE UNIQUE INDEX "codec_sessions_token_hash_key" ON "codec_sessions"("token_hash");

-- CreateIndex
CREATE INDEX "codec_sessions_business_id_expires_at_idx" ON "codec_sessions"("business_id", "expires_at");

-- AddForeignKey
ALTER TABLE "idempotency_claims" ADD CONSTRAINT "idempotency_claims_business_id_fkey" FOREIGN KEY ("business_id") REFERENCES "businesses"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "codec_sessions" ADD CONSTRAINT "codec_sessions_business_id_fkey" FOREIGN KEY ("business_id") REFERENCES "businesses"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "codec_sessions" ADD CONSTRAINT "codec_sessions_api_key_id_fkey" FOREIGN KEY ("api_key_id") REFERENCES "api_keys"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Both hold tenant data: the same policy as every customer-data table.
ALTER TABLE idempotency_claims ENABLE ROW LEVEL SECURITY;
ALTER TABLE idempotency_claims FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON idempotency_claims
  USING (business_id = leadflow_tenant() OR current_user = 'leadflow_compliance')
  WITH CHECK (business_id = leadflow_tenant() OR current_user = 'leadflow_compliance');
ALTER TABLE codec_sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE codec_sessions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON codec_sessions
  USING (business_id = leadflow_tenant() OR current_user = 'leadflow_compliance')
  WITH CHECK (business_id = leadflow_tenant() OR current_user = 'leadflow_compliance');

-- A codec cookie is resolved before the tenant is known, like an API key: the session's key,
-- only while the session is neither expired nor revoked and its API key is not revoked.
CREATE OR REPLACE FUNCTION leadflow_find_codec_session(p_token_hash text, p_now timestamptz)
  RETURNS TABLE (api_key_id uuid, business_id uuid, role text)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
    SELECT k.id, k.business_id, k.role FROM codec_sessions s JOIN api_keys k ON k.id = s.api_key_id
    WHERE s.token_hash = p_token_hash AND s.revoked_at IS NULL AND s.expires_at > p_now AND k.revoked_at IS NULL
  $$;
REVOKE ALL ON FUNCTION leadflow_find_codec_session(text, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION leadflow_find_codec_session(text, timestamptz) TO leadflow_app;
