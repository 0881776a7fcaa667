-- Whether any business allows a web origin: a CORS preflight carries no key, so it is answered
-- only for such origins (api/http/widget-cors.ts). Reads across tenants, answers one boolean.
CREATE OR REPLACE FUNCTION leadflow_origin_allowed(p_origin text) RETURNS boolean
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$ SELECT EXISTS (SELECT 1 FROM businesses WHERE p_origin = ANY (allowed_origins)) $$;

REVOKE ALL ON FUNCTION leadflow_origin_allowed(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION leadflow_origin_allowed(text) TO leadflow_app;
