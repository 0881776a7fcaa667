-- Customer import: uploaded customers, their SMS consent as recorded by the business, and
-- their past appointments. Tenant data like every other customer-data table.

-- CreateTable
CREATE TABLE "customer_imports" (
    "id" UUID NOT NULL,
    "business_id" UUID NOT NULL,
    "digest" TEXT NOT NULL,
    "content_hash" TEXT NOT NULL,
    "created_by_key_id" UUID,
    "counts" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "customer_imports_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "customers" (
    "id" UUID NOT NULL,
    "business_id" UUID NOT NULL,
    "import_id" UUID,
    "name" TEXT NOT NULL,
    "phone" TEXT NOT NULL,
    "email" TEXT,
    "notes" TEXT,
    "textable" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "customers_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "customer_consent_records" (
    "id" UUID NOT NULL,
    "business_id" UUID NOT NULL,
    "customer_id" UUID NOT NULL,
    "consent_text" TEXT NOT NULL,
    "captured_at" TIMESTAMPTZ(3) NOT NULL,
    "method" TEXT NOT NULL,

    CONSTRAINT "customer_consent_records_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "customer_appointments" (
    "id" UUID NOT NULL,
    "business_id" UUID NOT NULL,
    "customer_id" UUID NOT NULL,
    "starts_at" TIMESTAMPTZ(3) NOT NULL,
    "service" TEXT,

    CONSTRAINT "customer_appointments_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "customer_imports_business_id_digest_key" ON "customer_imports"("business_id", "digest");

-- CreateIndex
CREATE INDEX "customers_business_id_phone_idx" ON "customers"("business_id", "phone");

-- CreateIndex
CREATE INDEX "customers_business_id_email_idx" ON "customers"("business_id", "email");

-- CreateIndex
CREATE INDEX "customers_import_id_idx" ON "customers"("import_id");

-- CreateIndex
CREATE INDEX "customer_consent_records_customer_id_idx" ON "customer_consent_records"("customer_id");

-- CreateIndex
CREATE INDEX "customer_appointments_customer_id_idx" ON "customer_appointments"("customer_id");

-- CreateIndex
CREATE INDEX "customer_appointments_business_id_starts_at_idx" ON "customer_appointments"("business_id", "starts_at");

-- AddForeignKey
ALTER TABLE "customer_imports" ADD CONSTRAINT "customer_imports_business_id_fkey" FOREIGN KEY ("business_id") REFERENCES "businesses"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "customers" ADD CONSTRAINT "customers_business_id_fkey" FOREIGN KEY ("business_id") REFERENCES "businesses"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "customers" ADD CONSTRAINT "customers_import_id_fkey" FOREIGN KEY ("import_id") REFERENCES "customer_imports"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "customer_consent_records" ADD CONSTRAINT "customer_consent_records_business_id_fkey" FOREIGN KEY ("business_id") REFERENCES "businesses"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "customer_consent_records" ADD CONSTRAINT "customer_consent_records_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "customer_appointments" ADD CONSTRAINT "customer_appointments_business_id_fkey" FOREIGN KEY ("business_id") REFERENCES "businesses"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "customer_appointments" ADD CONSTRAINT "customer_appointments_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Tenant data: the same policy as every tenant table.
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['customer_imports', 'customers', 'customer_consent_records', 'customer_appointments'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format(
      'CREATE POLICY tenant_isolation ON %I USING (business_id = leadflow_tenant() OR current_user = %L) WITH CHECK (business_id = leadflow_tenant() OR current_user = %L)',
      t, 'leadflow_compliance', 'leadflow_compliance');
  END LOOP;
END
$$;
