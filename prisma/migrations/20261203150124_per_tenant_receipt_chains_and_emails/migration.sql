-- Deletion receipts: one hash chain per tenant instead of one across tenants (a tenant's
-- receipt carried another tenant's hash and the platform-wide sequence number).
-- Partly hand-written: the existing receipts are re-chained per tenant, and the links they
-- were written with are kept in deletion_receipt_legacy_links, which only the compliance
-- role (the platform admin) reads, so they stay verifiable as written.

-- The table owner must see every receipt while re-chaining them.
ALTER TABLE "deletion_receipts" NO FORCE ROW LEVEL SECURITY;

-- CreateTable
CREATE TABLE "deletion_receipt_legacy_links" (
    "seq" BIGINT NOT NULL,
    "receipt_id" UUID NOT NULL,
    "prev_hash" TEXT NOT NULL,
    "hash" TEXT NOT NULL,

    CONSTRAINT "deletion_receipt_legacy_links_pkey" PRIMARY KEY ("seq")
);

-- CreateIndex
CREATE UNIQUE INDEX "deletion_receipt_legacy_links_receipt_id_key" ON "deletion_receipt_legacy_links"("receipt_id");

-- CreateIndex
CREATE UNIQUE INDEX "deletion_receipt_legacy_links_hash_key" ON "deletion_receipt_legacy_links"("hash");

INSERT INTO "deletion_receipt_legacy_links" ("seq", "receipt_id", "prev_hash", "hash")
  SELECT "seq", "id", "prev_hash", "hash" FROM "deletion_receipts";

-- DropIndex
DROP INDEX "deletion_receipts_seq_key";

-- AlterTable
ALTER TABLE "deletion_receipts" ADD COLUMN     "chain" TEXT,
ALTER COLUMN "seq" DROP DEFAULT;
DROP SEQUENCE "deletion_receipts_seq_seq";

UPDATE "deletion_receipts" SET "chain" = COALESCE("business_id"::text, 'platform');
ALTER TABLE "deletion_receipts" ALTER COLUMN "chain" SET NOT NULL;

-- Re-chain: within each chain, in the old order, seq 1, 2, 3 … and each hash over the
-- previous one of the same chain. The canonical form is db/deletion-receipts.ts's
-- receiptHash: JSON of [prevHash, businessId, subjectId, cause, counts (keys sorted by
-- code point), deletedAt (ISO 8601, milliseconds, Z)], SHA-256, hex.
DO $$
DECLARE
  c text;
  r record;
  n bigint;
  prev text;
  counts_json text;
  canonical text;
  next_hash text;
BEGIN
  FOR c IN SELECT DISTINCT "chain" FROM "deletion_receipts" LOOP
    n := 0;
    prev := repeat('0', 64);
    FOR r IN SELECT * FROM "deletion_receipts" WHERE "chain" = c ORDER BY "seq" LOOP
      n := n + 1;
      SELECT '{' || COALESCE(string_agg(to_json(e.key)::text || ':' || e.value::text, ',' ORDER BY e.key COLLATE "C"), '') || '}'
        INTO counts_json FROM jsonb_each(r."counts") e;
      canonical := '[' || to_json(prev)::text
        || ',' || COALESCE(to_json(r."business_id"::text)::text, 'null')
        || ',' || COALESCE(to_json(r."subject_id"::text)::text, 'null')
        || ',' || to_json(r."cause")::text
        || ',' || counts_json
        || ',' || to_json(to_char(r."deleted_at" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))::text
        || ']';
      next_hash := encode(sha256(convert_to(canonical, 'UTF8')), 'hex');
      UPDATE "deletion_receipts" SET "seq" = n, "prev_hash" = prev, "hash" = next_hash WHERE "id" = r."id";
      prev := next_hash;
    END LOOP;
  END LOOP;
END
$$;

-- CreateIndex
CREATE UNIQUE INDEX "deletion_receipts_chain_seq_key" ON "deletion_receipts"("chain", "seq");

ALTER TABLE "deletion_receipts" FORCE ROW LEVEL SECURITY;

-- The legacy links describe every tenant's receipts at once: the platform's only.
ALTER TABLE "deletion_receipt_legacy_links" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "deletion_receipt_legacy_links" FORCE ROW LEVEL SECURITY;
CREATE POLICY platform_only ON "deletion_receipt_legacy_links"
  USING (current_user = 'leadflow_compliance');
REVOKE ALL ON "deletion_receipt_legacy_links" FROM leadflow_app;
GRANT SELECT ON "deletion_receipt_legacy_links" TO leadflow_compliance;

-- CreateTable
CREATE TABLE "emails" (
    "id" UUID NOT NULL,
    "business_id" UUID NOT NULL,
    "lead_id" UUID,
    "from_address" TEXT NOT NULL,
    "to_address" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "headers" JSONB NOT NULL DEFAULT '{}',
    "kind" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "provider" TEXT NOT NULL,
    "provider_id" TEXT,
    "error_code" TEXT,
    "idempotency_key" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sent_at" TIMESTAMPTZ(3),

    CONSTRAINT "emails_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "emails_provider_id_key" ON "emails"("provider_id");

-- CreateIndex
CREATE UNIQUE INDEX "emails_idempotency_key_key" ON "emails"("idempotency_key");

-- CreateIndex
CREATE INDEX "emails_lead_id_created_at_idx" ON "emails"("lead_id", "created_at");

-- CreateIndex
CREATE INDEX "emails_business_id_created_at_idx" ON "emails"("business_id", "created_at");

-- AddForeignKey
ALTER TABLE "emails" ADD CONSTRAINT "emails_business_id_fkey" FOREIGN KEY ("business_id") REFERENCES "businesses"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "emails" ADD CONSTRAINT "emails_lead_id_fkey" FOREIGN KEY ("lead_id") REFERENCES "leads"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Email logs are customer data: the same tenant policy as messages.
ALTER TABLE "emails" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "emails" FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "emails"
  USING (business_id = leadflow_tenant() OR current_user = 'leadflow_compliance')
  WITH CHECK (business_id = leadflow_tenant() OR current_user = 'leadflow_compliance');
