-- Per-lead statements that the planner must answer from one lead's entries whatever its
-- statistics say (a table that grew since its last ANALYZE): each index now covers the
-- statement's equality columns and its order, so no index on the business alone (every
-- lead or message of it) can look cheaper.

-- Capture's duplicate check (leadflow_recent_lead_by_phone): business, phone, newest first.
DROP INDEX IF EXISTS "leads_business_id_phone_idx";
CREATE INDEX "leads_business_id_phone_created_at_idx" ON "leads"("business_id", "phone", "created_at");

-- A send's history: one lead's messages in (created_at, id) order, no sort.
DROP INDEX IF EXISTS "messages_lead_id_created_at_idx";
CREATE INDEX "messages_lead_id_created_at_id_idx" ON "messages"("lead_id", "created_at", "id");
