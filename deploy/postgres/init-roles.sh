#!/bin/sh
# Runs once, when the data volume is empty (the postgres image's /docker-entrypoint-initdb.d).
# Temporal gets its own role and two databases; leadflow an owner (migrations: it creates the
# leadflow_app and leadflow_compliance roles, hence CREATEROLE) and a runtime login that owns nothing.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v temporal_pw="$TEMPORAL_DB_PASSWORD" \
  -v owner_pw="$LEADFLOW_OWNER_PASSWORD" \
  -v runtime_pw="$LEADFLOW_RUNTIME_PASSWORD" <<'SQL'
CREATE ROLE temporal LOGIN PASSWORD :'temporal_pw';
CREATE DATABASE temporal OWNER temporal;
CREATE DATABASE temporal_visibility OWNER temporal;
CREATE ROLE leadflow_owner LOGIN CREATEROLE PASSWORD :'owner_pw';
CREATE DATABASE leadflow OWNER leadflow_owner;
CREATE ROLE leadflow_runtime LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD :'runtime_pw';
GRANT CONNECT ON DATABASE leadflow TO leadflow_runtime;
SQL
