-- A new lead's writes as functions, so capture claims and records a lead in one round trip,
-- and the worker records it and reads its first send in one, where each took a transaction of
-- four (BEGIN and the tenant, two statements, COMMIT; every round trip costs the caller a
-- socket write and Postgres a wake-up, bench/RESULTS.md). SECURITY INVOKER (the default):
-- row-level security applies to the application role as before; search_path is pinned.
-- Parameters: db/lead-intake.ts, services/leads/request-claims.ts.

-- The lead's row (only when p_insert; a row already there is left as it is), its consent
-- record when the row is new (a second capture of someone already here keeps the consent
-- they gave first), and its data key's assignment (only when p_insert too; a key already
-- given to another lead is never moved), in the caller's tenant. True when the row is new.
-- Capture calls it in its own transaction; leadflow_record_lead below, in its call.
CREATE FUNCTION leadflow_lead_intake(
  p_lead uuid, p_business uuid, p_name text, p_phone text, p_email text, p_email_consent_at timestamptz,
  p_message text, p_source text, p_at timestamptz, p_consent_text text, p_consent_at timestamptz,
  p_ip text, p_user_agent text, p_page_url text, p_method text, p_key uuid, p_insert boolean)
  RETURNS boolean
  LANGUAGE plpgsql SET search_path = public, pg_temp
  AS $$
DECLARE
  v_created boolean;
BEGIN
  WITH ins AS (
    INSERT INTO leads (id, business_id, name, phone, email, email_consent_at, message, source, status, created_at, last_activity_at, updated_at)
    SELECT p_lead, p_business, p_name, p_phone, p_email, p_email_consent_at, p_message, p_source, 'new', p_at, p_at, now()
     WHERE p_insert
    ON CONFLICT (id) DO NOTHING RETURNING id),
  consent AS (
    INSERT INTO consent_records (id, business_id, lead_id, consent_text, captured_at, ip, user_agent, page_url, method)
    SELECT gen_random_uuid(), p_business, ins.id, p_consent_text, p_consent_at, p_ip, p_user_agent, p_page_url, p_method
      FROM ins WHERE p_consent_text IS NOT NULL),
  key AS (
    UPDATE lead_data_keys k
       SET lead_id = p_lead, business_id = COALESCE(k.business_id, p_business),
           assigned_at = CASE WHEN k.lead_id IS NULL THEN now() ELSE k.assigned_at END
     WHERE p_insert AND k.id = p_key AND (k.lead_id IS NULL OR (k.lead_id = p_lead AND k.business_id IS NULL)))
  SELECT EXISTS (SELECT 1 FROM ins) INTO v_created;
  RETURN v_created;
END $$;

-- The workflow's recordLead: what the workflow plans with (no row when the business does not
-- exist), and the lead's row written when capture could not write it (Postgres was down). A
-- row capture wrote is read, not inserted again, and its key is not probed again.
CREATE FUNCTION leadflow_record_lead(
  p_lead uuid, p_business uuid, p_name text, p_phone text, p_email text, p_email_consent_at timestamptz,
  p_message text, p_source text, p_at timestamptz, p_consent_text text, p_consent_at timestamptz,
  p_ip text, p_user_agent text, p_page_url text, p_method text, p_key uuid)
  RETURNS TABLE ("timeZone" text, cadence integer[], overrides jsonb, "subscriptionStatus" text, held boolean,
                 "defaultLanguage" text, "leadHeld" boolean)
  LANGUAGE plpgsql SET search_path = public, pg_temp
  AS $$
#variable_conflict use_column
DECLARE
  b record;
  v_lead_held boolean;
BEGIN
  PERFORM set_config('app.business_id', p_business::text, true);
  SELECT x.time_zone, x.follow_up_cadence, x.retention_overrides, x.subscription_status,
         x.legal_hold_at IS NOT NULL AS held, x.default_language
    INTO b FROM businesses x WHERE x.id = p_business;
  IF NOT FOUND THEN RETURN; END IF;
  SELECT l.legal_hold_at IS NOT NULL INTO v_lead_held FROM leads l WHERE l.id = p_lead AND l.business_id = p_business;
  IF NOT FOUND THEN
    PERFORM leadflow_lead_intake(p_lead, p_business, p_name, p_phone, p_email, p_email_consent_at, p_message,
                                 p_source, p_at, p_consent_text, p_consent_at, p_ip, p_user_agent, p_page_url,
                                 p_method, p_key, true);
    v_lead_held := false;
  END IF;
  RETURN QUERY SELECT b.time_zone, b.follow_up_cadence, b.retention_overrides, b.subscription_status, b.held,
                      b.default_language, v_lead_held;
END $$;

-- A new lead's first activity: recordLead, then the first reply's read (leadflow_send_read:
-- p_step is the reply's outbox key, p_version and p_hashes as there), in one call. The read
-- is made whether or not the reply is due now; the caller decides from the record.
CREATE FUNCTION leadflow_record_lead_and_read(
  p_lead uuid, p_business uuid, p_name text, p_phone text, p_email text, p_email_consent_at timestamptz,
  p_message text, p_source text, p_at timestamptz, p_consent_text text, p_consent_at timestamptz,
  p_ip text, p_user_agent text, p_page_url text, p_method text, p_key uuid,
  p_step text, p_version text, p_hashes text[])
  RETURNS TABLE ("timeZone" text, cadence integer[], overrides jsonb, "subscriptionStatus" text, held boolean,
                 "defaultLanguage" text, "leadHeld" boolean,
                 existing json, lead json, business json, history json, suppressed boolean)
  LANGUAGE plpgsql SET search_path = public, pg_temp
  AS $$
#variable_conflict use_column
DECLARE
  r record;
  s record;
BEGIN
  SELECT * INTO r FROM leadflow_record_lead(p_lead, p_business, p_name, p_phone, p_email, p_email_consent_at,
    p_message, p_source, p_at, p_consent_text, p_consent_at, p_ip, p_user_agent, p_page_url, p_method, p_key);
  IF NOT FOUND THEN RETURN; END IF;
  SELECT * INTO s FROM leadflow_send_read(p_business, p_step, p_lead, p_version, p_hashes);
  RETURN QUERY SELECT r."timeZone", r.cadence, r.overrides, r."subscriptionStatus", r.held, r."defaultLanguage",
                      r."leadHeld", s.existing, s.lead, s.business, s.history, s.suppressed;
END $$;

-- Capture's claim (services/leads/request-claims.ts): prunes up to p_batch of the business's
-- expired claims from p_prune_from, and claims p_digest for p_lead, or for the business's
-- lead of p_phone captured since p_since when p_phone is given, unless a live claim holds it
-- (then lead_id is null; the caller reads that claim). Sets the tenant for its own call, or
-- for the caller's transaction.
CREATE FUNCTION leadflow_capture_claim(
  p_business uuid, p_digest text, p_lead uuid, p_request_hash text, p_now timestamptz, p_expires timestamptz,
  p_prune_from timestamptz, p_batch integer, p_phone text, p_since timestamptz)
  RETURNS TABLE (lead_id uuid, pruned integer, last_expiry timestamptz)
  LANGUAGE plpgsql SET search_path = public, pg_temp
  AS $$
#variable_conflict use_column
BEGIN
  PERFORM set_config('app.business_id', p_business::text, true);
  RETURN QUERY
  WITH gone AS (
    DELETE FROM idempotency_claims WHERE ctid IN (
      SELECT x.ctid FROM idempotency_claims x
       WHERE x.business_id = p_business AND x.expires_at >= p_prune_from AND x.expires_at <= p_now
         AND x.digest <> p_digest
       ORDER BY x.expires_at
       LIMIT p_batch FOR UPDATE SKIP LOCKED)
    RETURNING idempotency_claims.expires_at),
  claimed AS (
    INSERT INTO idempotency_claims AS c (business_id, digest, lead_id, request_hash, created_at, expires_at)
    VALUES (p_business, p_digest,
            CASE WHEN p_phone IS NULL THEN p_lead
                 ELSE COALESCE(leadflow_recent_lead_by_phone(p_business, p_phone, p_since), p_lead) END,
            p_request_hash, p_now, p_expires)
    ON CONFLICT (business_id, digest) DO UPDATE
      SET lead_id = EXCLUDED.lead_id, request_hash = EXCLUDED.request_hash,
          created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
      WHERE c.expires_at <= EXCLUDED.created_at
    RETURNING c.lead_id)
  SELECT (SELECT claimed.lead_id FROM claimed), (SELECT count(*)::int FROM gone), (SELECT max(gone.expires_at) FROM gone);
END $$;

-- The usual capture in one call: the claim, and when it is this capture's own new id
-- (p_lead), the lead's row with the data key the caller took for it (p_key). `recorded` says
-- whether it was written; otherwise the caller records the lead the claim named.
CREATE FUNCTION leadflow_capture(
  p_lead uuid, p_business uuid, p_name text, p_phone text, p_email text, p_email_consent_at timestamptz,
  p_message text, p_source text, p_at timestamptz, p_consent_text text, p_consent_at timestamptz,
  p_ip text, p_user_agent text, p_page_url text, p_method text, p_key uuid,
  p_digest text, p_request_hash text, p_expires timestamptz, p_prune_from timestamptz, p_batch integer,
  p_recent_phone text, p_since timestamptz)
  RETURNS TABLE (lead_id uuid, pruned integer, last_expiry timestamptz, recorded boolean)
  LANGUAGE plpgsql SET search_path = public, pg_temp
  AS $$
#variable_conflict use_column
DECLARE
  c record;
BEGIN
  SELECT * INTO c FROM leadflow_capture_claim(p_business, p_digest, p_lead, p_request_hash, p_at, p_expires,
                                              p_prune_from, p_batch, p_recent_phone, p_since);
  IF c.lead_id IS DISTINCT FROM p_lead THEN
    RETURN QUERY SELECT c.lead_id, c.pruned, c.last_expiry, false;
    RETURN;
  END IF;
  PERFORM leadflow_lead_intake(p_lead, p_business, p_name, p_phone, p_email, p_email_consent_at, p_message,
                               p_source, p_at, p_consent_text, p_consent_at, p_ip, p_user_agent, p_page_url,
                               p_method, p_key, true);
  RETURN QUERY SELECT c.lead_id, c.pruned, c.last_expiry, true;
END $$;

GRANT EXECUTE ON FUNCTION leadflow_lead_intake(uuid, uuid, text, text, text, timestamptz, text, text, timestamptz, text, timestamptz, text, text, text, text, uuid, boolean) TO leadflow_app;
GRANT EXECUTE ON FUNCTION leadflow_record_lead(uuid, uuid, text, text, text, timestamptz, text, text, timestamptz, text, timestamptz, text, text, text, text, uuid) TO leadflow_app;
GRANT EXECUTE ON FUNCTION leadflow_record_lead_and_read(uuid, uuid, text, text, text, timestamptz, text, text, timestamptz, text, timestamptz, text, text, text, text, uuid, text, text, text[]) TO leadflow_app;
GRANT EXECUTE ON FUNCTION leadflow_capture_claim(uuid, text, uuid, text, timestamptz, timestamptz, timestamptz, integer, text, timestamptz) TO leadflow_app;
GRANT EXECUTE ON FUNCTION leadflow_capture(uuid, uuid, text, text, text, timestamptz, text, text, timestamptz, text, timestamptz, text, text, text, text, uuid, text, text, timestamptz, timestamptz, integer, text, timestamptz) TO leadflow_app;
