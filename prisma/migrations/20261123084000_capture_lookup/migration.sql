-- Capture's duplicate check in one statement instead of a tenant transaction: the same
-- phone for the same business within a short window is the same lead. Answers only the
-- id of that business's own recent lead.
CREATE OR REPLACE FUNCTION leadflow_recent_lead_by_phone(p_business uuid, p_phone text, p_since timestamptz) RETURNS uuid
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
    SELECT l.id FROM leads l
    WHERE l.business_id = p_business AND l.phone = p_phone AND l.created_at >= p_since
    ORDER BY l.created_at DESC LIMIT 1
  $$;

REVOKE ALL ON FUNCTION leadflow_recent_lead_by_phone(uuid, text, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION leadflow_recent_lead_by_phone(uuid, text, timestamptz) TO leadflow_app;
