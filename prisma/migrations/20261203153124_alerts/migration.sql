-- AlterTable
ALTER TABLE "businesses" ADD COLUMN     "alert_channels" JSONB;

-- CreateTable
CREATE TABLE "alerts" (
    "id" UUID NOT NULL,
    "business_id" UUID NOT NULL,
    "event_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "lead_id" UUID,
    "privacy_request_id" UUID,
    "reason" TEXT NOT NULL,
    "detail" JSONB NOT NULL DEFAULT '{}',
    "read_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "alerts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "alert_deliveries" (
    "id" UUID NOT NULL,
    "business_id" UUID NOT NULL,
    "alert_id" UUID NOT NULL,
    "channel" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'sending',
    "recipient" TEXT,
    "body" TEXT NOT NULL DEFAULT '',
    "provider_id" TEXT,
    "error_code" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sent_at" TIMESTAMPTZ(3),

    CONSTRAINT "alert_deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "alerts_business_id_created_at_idx" ON "alerts"("business_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "alerts_business_id_event_id_key" ON "alerts"("business_id", "event_id");

-- CreateIndex
CREATE INDEX "alert_deliveries_business_id_created_at_idx" ON "alert_deliveries"("business_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "alert_deliveries_alert_id_channel_key" ON "alert_deliveries"("alert_id", "channel");

-- AddForeignKey
ALTER TABLE "alerts" ADD CONSTRAINT "alerts_business_id_fkey" FOREIGN KEY ("business_id") REFERENCES "businesses"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "alert_deliveries" ADD CONSTRAINT "alert_deliveries_business_id_fkey" FOREIGN KEY ("business_id") REFERENCES "businesses"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "alert_deliveries" ADD CONSTRAINT "alert_deliveries_alert_id_fkey" FOREIGN KEY ("alert_id") REFERENCES "alerts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Alerts and their deliveries are the business's own data: the same tenant policy as messages.
ALTER TABLE "alerts" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "alerts" FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "alerts"
  USING (business_id = leadflow_tenant() OR current_user = 'leadflow_compliance')
  WITH CHECK (business_id = leadflow_tenant() OR current_user = 'leadflow_compliance');
ALTER TABLE "alert_deliveries" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "alert_deliveries" FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "alert_deliveries"
  USING (business_id = leadflow_tenant() OR current_user = 'leadflow_compliance')
  WITH CHECK (business_id = leadflow_tenant() OR current_user = 'leadflow_compliance');
