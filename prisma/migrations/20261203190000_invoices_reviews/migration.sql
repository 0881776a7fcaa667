-- Invoices and review requests after a job: the business's connected Stripe account and
-- review link, and each job's invoice (a transaction record, tenant data under RLS).

-- AlterTable
ALTER TABLE "businesses" ADD COLUMN     "review_url" TEXT,
ADD COLUMN     "stripe_connect_account_id" TEXT;

-- CreateTable
CREATE TABLE "job_invoices" (
    "id" UUID NOT NULL,
    "business_id" UUID NOT NULL,
    "lead_id" UUID NOT NULL,
    "appointment_id" UUID NOT NULL,
    "stripe_account_id" TEXT,
    "stripe_customer_id" TEXT,
    "stripe_invoice_id" TEXT,
    "amount_cents" INTEGER NOT NULL,
    "currency" TEXT NOT NULL DEFAULT 'usd',
    "status" TEXT NOT NULL DEFAULT 'draft',
    "hosted_url" TEXT,
    "paid_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "job_invoices_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "job_invoices_stripe_invoice_id_key" ON "job_invoices"("stripe_invoice_id");

-- CreateIndex
CREATE INDEX "job_invoices_lead_id_idx" ON "job_invoices"("lead_id");

-- CreateIndex
CREATE INDEX "job_invoices_business_id_created_at_idx" ON "job_invoices"("business_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "job_invoices_business_id_appointment_id_key" ON "job_invoices"("business_id", "appointment_id");

-- AddForeignKey
ALTER TABLE "job_invoices" ADD CONSTRAINT "job_invoices_business_id_fkey" FOREIGN KEY ("business_id") REFERENCES "businesses"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "job_invoices" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "job_invoices" FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "job_invoices"
  USING (business_id = leadflow_tenant() OR current_user = 'leadflow_compliance')
  WITH CHECK (business_id = leadflow_tenant() OR current_user = 'leadflow_compliance');
