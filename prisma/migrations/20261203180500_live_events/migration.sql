-- The inbox (GET /v1/leads): a business's leads, newest activity first, keyset-paged on (last_activity_at, id).
CREATE INDEX "leads_business_id_last_activity_at_id_idx" ON "leads"("business_id", "last_activity_at" DESC, "id" DESC);

-- Live events (GET /v1/events). Each API process LISTENs, on one connection, to the channel of
-- every business with a connected client. These triggers NOTIFY inside the writing transaction:
-- a rolled-back write sends nothing, and every writer (API, worker, CLI) is covered. Payloads
-- carry ids and kinds only, never personal data.
CREATE FUNCTION leadflow_live_channel(business uuid) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT 'leadflow_live_' || replace(business::text, '-', '') $$;

CREATE FUNCTION leadflow_live_lead() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify(
    leadflow_live_channel(NEW.business_id),
    json_build_object('event', 'lead', 'leadId', NEW.id, 'kind', TG_ARGV[0])::text
  );
  RETURN NULL;
END $$;

CREATE FUNCTION leadflow_live_alert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify(
    leadflow_live_channel(NEW.business_id),
    json_build_object('event', 'alert', 'alertId', NEW.id, 'kind', NEW.kind, 'leadId', NEW.lead_id)::text
  );
  RETURN NULL;
END $$;

CREATE TRIGGER leads_live_captured AFTER INSERT ON "leads"
  FOR EACH ROW EXECUTE FUNCTION leadflow_live_lead('captured');
CREATE TRIGGER leads_live_status AFTER UPDATE OF status ON "leads"
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION leadflow_live_lead('status');

CREATE FUNCTION leadflow_live_message() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify(
    leadflow_live_channel(NEW.business_id),
    json_build_object('event', 'lead', 'leadId', NEW.lead_id, 'kind', 'message')::text
  );
  RETURN NULL;
END $$;

CREATE TRIGGER messages_live AFTER INSERT ON "messages"
  FOR EACH ROW EXECUTE FUNCTION leadflow_live_message();
CREATE TRIGGER alerts_live AFTER INSERT ON "alerts"
  FOR EACH ROW EXECUTE FUNCTION leadflow_live_alert();
