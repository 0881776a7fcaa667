-- AlterTable
ALTER TABLE "lead_data_keys" DROP CONSTRAINT "lead_data_keys_pkey",
DROP COLUMN "key_id",
ADD COLUMN     "assigned_at" TIMESTAMPTZ(3),
ADD COLUMN     "id" UUID NOT NULL,
ADD COLUMN     "master_key_id" TEXT NOT NULL,
ALTER COLUMN "lead_id" DROP NOT NULL,
ALTER COLUMN "business_id" DROP NOT NULL,
ADD CONSTRAINT "lead_data_keys_pkey" PRIMARY KEY ("id");

-- AlterTable
ALTER TABLE "privacy_requests" ADD COLUMN     "escalated_at" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "event_logs" (
    "id" BIGSERIAL NOT NULL,
    "business_id" UUID NOT NULL,
    "lead_id" UUID,
    "category" TEXT NOT NULL,
    "event" TEXT NOT NULL,
    "detail" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "event_logs_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "event_logs_category_created_at_idx" ON "event_logs"("category", "created_at");

-- CreateIndex
CREATE INDEX "event_logs_business_id_created_at_idx" ON "event_logs"("business_id", "created_at");

-- CreateIndex
CREATE INDEX "lead_data_keys_lead_id_idx" ON "lead_data_keys"("lead_id");

-- AddForeignKey
ALTER TABLE "event_logs" ADD CONSTRAINT "event_logs_business_id_fkey" FOREIGN KEY ("business_id") REFERENCES "businesses"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Hand-written. Data keys are found by id before the tenant is known (the payload codec),
-- and a wrapped key is useless without the master key: no row-level security on them.
DROP POLICY IF EXISTS tenant_isolation ON lead_data_keys;
ALTER TABLE lead_data_keys NO FORCE ROW LEVEL SECURITY;
ALTER TABLE lead_data_keys DISABLE ROW LEVEL SECURITY;

-- Event logs are customer data: the same tenant policy as every other such table.
ALTER TABLE event_logs ENABLE ROW LEVEL SECURITY;
ALTER TABLE event_logs FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON event_logs
  USING (business_id = leadflow_tenant() OR current_user = 'leadflow_compliance')
  WITH CHECK (business_id = leadflow_tenant() OR current_user = 'leadflow_compliance');
