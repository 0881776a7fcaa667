-- AlterTable
ALTER TABLE "appointments" ADD COLUMN     "external_calendar_id" TEXT,
ADD COLUMN     "technician_id" UUID;

-- AlterTable
ALTER TABLE "services" ADD COLUMN     "keywords" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- CreateTable
CREATE TABLE "technicians" (
    "id" UUID NOT NULL,
    "business_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "weekly_hours" JSONB NOT NULL,
    "calendar" TEXT NOT NULL DEFAULT 'builtin',
    "google_calendar_id" TEXT,
    "last_assigned_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "technicians_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "technician_time_off" (
    "id" UUID NOT NULL,
    "business_id" UUID NOT NULL,
    "technician_id" UUID NOT NULL,
    "starts_at" TIMESTAMPTZ(3) NOT NULL,
    "ends_at" TIMESTAMPTZ(3) NOT NULL,
    "reason" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "technician_time_off_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "technician_services" (
    "business_id" UUID NOT NULL,
    "technician_id" UUID NOT NULL,
    "service_id" UUID NOT NULL,

    CONSTRAINT "technician_services_pkey" PRIMARY KEY ("technician_id","service_id")
);

-- CreateIndex
CREATE INDEX "technicians_business_id_idx" ON "technicians"("business_id");

-- CreateIndex
CREATE INDEX "technician_time_off_technician_id_starts_at_idx" ON "technician_time_off"("technician_id", "starts_at");

-- CreateIndex
CREATE INDEX "technician_time_off_business_id_idx" ON "technician_time_off"("business_id");

-- CreateIndex
CREATE INDEX "technician_services_service_id_idx" ON "technician_services"("service_id");

-- CreateIndex
CREATE INDEX "technician_services_business_id_idx" ON "technician_services"("business_id");

-- CreateIndex
CREATE INDEX "appointments_technician_id_starts_at_idx" ON "appointments"("technician_id", "starts_at");

-- AddForeignKey
ALTER TABLE "technicians" ADD CONSTRAINT "technicians_business_id_fkey" FOREIGN KEY ("business_id") REFERENCES "businesses"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "technician_time_off" ADD CONSTRAINT "technician_time_off_business_id_fkey" FOREIGN KEY ("business_id") REFERENCES "businesses"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "technician_time_off" ADD CONSTRAINT "technician_time_off_technician_id_fkey" FOREIGN KEY ("technician_id") REFERENCES "technicians"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "technician_services" ADD CONSTRAINT "technician_services_business_id_fkey" FOREIGN KEY ("business_id") REFERENCES "businesses"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "technician_services" ADD CONSTRAINT "technician_services_technician_id_fkey" FOREIGN KEY ("technician_id") REFERENCES "technicians"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "technician_services" ADD CONSTRAINT "technician_services_service_id_fkey" FOREIGN KEY ("service_id") REFERENCES "services"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "appointments" ADD CONSTRAINT "appointments_technician_id_fkey" FOREIGN KEY ("technician_id") REFERENCES "technicians"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- Tenant data: each table sees only the tenant the transaction is for (db/tenant).
ALTER TABLE "technicians" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "technicians" FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "technicians"
  USING (business_id = leadflow_tenant() OR current_user = 'leadflow_compliance')
  WITH CHECK (business_id = leadflow_tenant() OR current_user = 'leadflow_compliance');

ALTER TABLE "technician_time_off" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "technician_time_off" FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "technician_time_off"
  USING (business_id = leadflow_tenant() OR current_user = 'leadflow_compliance')
  WITH CHECK (business_id = leadflow_tenant() OR current_user = 'leadflow_compliance');

ALTER TABLE "technician_services" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "technician_services" FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "technician_services"
  USING (business_id = leadflow_tenant() OR current_user = 'leadflow_compliance')
  WITH CHECK (business_id = leadflow_tenant() OR current_user = 'leadflow_compliance');
