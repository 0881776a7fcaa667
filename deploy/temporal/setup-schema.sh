#!/bin/sh
# Temporal's schema on its two PostgreSQL databases (created by postgres/init-roles.sh), with
# the server's own tool. Safe at every start: setup-schema only once, update-schema to the
# version this image carries (run it before starting a newer server).
set -eu
SCHEMA=/etc/temporal/schema/postgresql/v12
for pair in temporal:temporal temporal_visibility:visibility; do
  db=${pair%%:*}
  dir=${pair#*:}
  sql() { temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p 5432 -u "$POSTGRES_USER" --db "$db" "$@"; }
  # Fails once the schema is versioned; a real connection problem then fails update-schema below.
  sql setup-schema -v 0.0 >/dev/null 2>&1 || echo "$db: schema already versioned"
  sql update-schema -d "$SCHEMA/$dir/versioned"
  echo "$db: schema current"
done
