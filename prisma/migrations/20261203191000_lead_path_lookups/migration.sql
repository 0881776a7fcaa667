-- A send reads its business's services from its process's memory, keyed by the version of the
-- business's row (xmin), and from the table only when that version changed
-- (activities/sms/business-facts.ts). So every change to a business's services touches the
-- business's row in the same transaction: a reader that sees the new services sees a new
-- version, and one that does not sees the old one. SECURITY DEFINER, as the table owner: the
-- touch happens whoever changed the services (a tenant transaction, the compliance role).
CREATE FUNCTION leadflow_touch_business_of_service() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
BEGIN
  IF TG_OP <> 'DELETE' THEN
    UPDATE businesses SET updated_at = now() WHERE id = NEW.business_id;
  END IF;
  IF TG_OP <> 'INSERT' AND (TG_OP = 'DELETE' OR OLD.business_id IS DISTINCT FROM NEW.business_id) THEN
    UPDATE businesses SET updated_at = now() WHERE id = OLD.business_id;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER services_touch_business AFTER INSERT OR UPDATE OR DELETE ON "services"
  FOR EACH ROW EXECUTE FUNCTION leadflow_touch_business_of_service();
