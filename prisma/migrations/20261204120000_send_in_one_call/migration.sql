-- A send's statements (activities/sms/send-lead-sms.ts), each one call that sets its own
-- tenant. In a transaction (BEGIN and the tenant, the statement, COMMIT) each took three round
-- trips; every round trip costs the worker a socket write and Postgres a wake-up, which on the
-- bench's machine was the largest share of the worker's CPU per text (bench/RESULTS.md). A
-- function sets app.business_id for the call's own transaction (set_config's is_local), or for
-- the caller's when it runs inside one, so row-level security scopes every statement in it as
-- before. SECURITY INVOKER (the default): the policies apply to the application role as they
-- did; search_path is pinned.

-- Everything a send decides from: the step's outbox row, the lead, the business with its
-- services (only when its row's version, xmin, is not p_version, the one the process holds
-- them for), the conversation so far, whether the lead's number or one of p_hashes (keyed
-- hashes of the number the caller expects) is suppressed. A lead whose number is another is
-- checked again by its own keyed hashes (leadflow_send_suppressed).
CREATE FUNCTION leadflow_send_read(p_business uuid, p_key text, p_lead uuid, p_version text, p_hashes text[])
  RETURNS TABLE (existing json, lead json, business json, history json, suppressed boolean)
  LANGUAGE plpgsql SET search_path = public, pg_temp
  AS $$
#variable_conflict use_column
BEGIN
  PERFORM set_config('app.business_id', p_business::text, true);
  RETURN QUERY SELECT
    (SELECT row_to_json(o) FROM (
       SELECT m.id, m.body, m.status, m.provider_id AS "providerId", m.error_code AS "errorCode", m.created_at AS "createdAt"
         FROM messages m WHERE m.business_id = p_business AND m.idempotency_key = p_key) o),
    (SELECT row_to_json(l) FROM (
       SELECT x.name, x.phone, x.restricted, x.objected, x.marketing_opt_out AS "marketingOptOut"
         FROM leads x WHERE x.id = p_lead AND x.business_id = p_business) l),
    (SELECT row_to_json(b) FROM (
       SELECT b.name, b.bot_name AS "botName", b.time_zone AS "timeZone", b.sms_number AS "smsNumber",
              b.contact_phone AS "contactPhone", b.contact_email AS "contactEmail", b.business_hours AS "businessHours",
              b.facts, b.ai_enabled AS "aiEnabled", b.subscription_status AS "subscriptionStatus", b.review_url AS "reviewUrl",
              b.xmin::text AS version,
              CASE WHEN b.xmin::text IS NOT DISTINCT FROM p_version THEN NULL ELSE
                COALESCE((SELECT json_agg(json_build_object('name', s.name, 'durationMinutes', s.duration_minutes,
                                                            'priceCents', s.price_cents, 'priceNote', s.price_note,
                                                            'active', s.active) ORDER BY s.created_at, s.id)
                            FROM services s WHERE s.business_id = b.id), '[]'::json) END AS services
         FROM businesses b WHERE b.id = p_business) b),
    (SELECT COALESCE(json_agg(h ORDER BY h."createdAt", h.id), '[]'::json) FROM (
       SELECT m.id, m.direction, m.kind, m.body, m.created_at AS "createdAt" FROM messages m
        WHERE m.business_id = p_business AND m.lead_id = p_lead ORDER BY m.created_at ASC, m.id ASC LIMIT 30) h),
    EXISTS (SELECT 1 FROM suppressions s WHERE s.business_id = p_business
               AND (s.phone = ANY(p_hashes)
                    OR s.phone = (SELECT x.phone FROM leads x WHERE x.id = p_lead AND x.business_id = p_business)));
END $$;

-- Whether one of p_phones (a number's keyed hashes, an erased person's opt-out) is suppressed.
CREATE FUNCTION leadflow_send_suppressed(p_business uuid, p_phones text[]) RETURNS boolean
  LANGUAGE plpgsql SET search_path = public, pg_temp
  AS $$
BEGIN
  PERFORM set_config('app.business_id', p_business::text, true);
  RETURN EXISTS (SELECT 1 FROM suppressions s WHERE s.business_id = p_business AND s.phone = ANY(p_phones));
END $$;

-- The outbox row in, with the step's event logs (p_events: [{category, event, detail}]).
-- A second attempt of the same step fails on the unique idempotency key (23505), as before.
CREATE FUNCTION leadflow_send_outbox(
  p_business uuid, p_lead uuid, p_kind text, p_body text, p_provider text, p_key text,
  p_model text, p_prompt_version text, p_events jsonb)
  RETURNS TABLE (id uuid, body text, status text, "providerId" text, "errorCode" text, "createdAt" timestamptz)
  LANGUAGE plpgsql SET search_path = public, pg_temp
  AS $$
#variable_conflict use_column
DECLARE
  r messages%ROWTYPE;
BEGIN
  PERFORM set_config('app.business_id', p_business::text, true);
  INSERT INTO messages (id, business_id, lead_id, direction, kind, body, status, provider, idempotency_key, ai_model, prompt_version)
  VALUES (gen_random_uuid(), p_business, p_lead, 'outbound', p_kind, p_body, 'sending', p_provider, p_key, p_model, p_prompt_version)
  RETURNING * INTO r;
  INSERT INTO event_logs (business_id, lead_id, category, event, detail)
  SELECT p_business, p_lead, x.category, x.event, x.detail || jsonb_build_object('messageId', r.id)
    FROM jsonb_to_recordset(p_events) AS x(category text, event text, detail jsonb);
  RETURN QUERY SELECT r.id, r.body, r.status, r.provider_id, r.error_code, r.created_at::timestamptz;
END $$;

-- The carrier took it: the outbox row, its delivery log and the lead's last activity (and
-- status, when p_lead_status is given).
CREATE FUNCTION leadflow_send_mark_sent(
  p_business uuid, p_message uuid, p_provider_id text, p_status text, p_sent_at timestamptz,
  p_lead uuid, p_detail jsonb, p_at timestamptz, p_lead_status text) RETURNS void
  LANGUAGE plpgsql SET search_path = public, pg_temp
  AS $$
BEGIN
  PERFORM set_config('app.business_id', p_business::text, true);
  UPDATE messages SET provider_id = p_provider_id, status = p_status, sent_at = p_sent_at
   WHERE business_id = p_business AND id = p_message;
  INSERT INTO event_logs (business_id, lead_id, category, event, detail)
  VALUES (p_business, p_lead, 'sms_delivery', 'sent', p_detail);
  UPDATE leads SET last_activity_at = p_at, status = COALESCE(p_lead_status, status), updated_at = now()
   WHERE business_id = p_business AND id = p_lead;
END $$;

GRANT EXECUTE ON FUNCTION leadflow_send_read(uuid, text, uuid, text, text[]) TO leadflow_app;
GRANT EXECUTE ON FUNCTION leadflow_send_suppressed(uuid, text[]) TO leadflow_app;
GRANT EXECUTE ON FUNCTION leadflow_send_outbox(uuid, uuid, text, text, text, text, text, text, jsonb) TO leadflow_app;
GRANT EXECUTE ON FUNCTION leadflow_send_mark_sent(uuid, uuid, text, text, timestamptz, uuid, jsonb, timestamptz, text) TO leadflow_app;
