#!/usr/bin/env bash
# Runs once in the postgres:15 container on an empty data volume
# (/docker-entrypoint-initdb.d). Applies the same SQL as the local cluster:
# deploy/postgres/init.sql, mounted at /pind/init.sql.
set -euo pipefail

for v in PIND_AUTH_DB_PASSWORD PIND_GATEWAY_DB_PASSWORD PIND_INGEST_DB_PASSWORD \
  PIND_TRANSCRIPT_DB_PASSWORD PIND_VISION_DB_PASSWORD PIND_GEO_DB_PASSWORD PIND_ADMIN_DB_PASSWORD; do
  if [[ -z "${!v:-}" ]]; then
    echo "postgres-init: $v is not set" >&2
    exit 1
  fi
done

psql -v ON_ERROR_STOP=1 --no-psqlrc --username "${POSTGRES_USER:-postgres}" --dbname postgres \
  -v pw_auth="$PIND_AUTH_DB_PASSWORD" \
  -v pw_gateway="$PIND_GATEWAY_DB_PASSWORD" \
  -v pw_ingest="$PIND_INGEST_DB_PASSWORD" \
  -v pw_transcript="$PIND_TRANSCRIPT_DB_PASSWORD" \
  -v pw_vision="$PIND_VISION_DB_PASSWORD" \
  -v pw_geo="$PIND_GEO_DB_PASSWORD" \
  -v pw_admin="$PIND_ADMIN_DB_PASSWORD" \
  -f /pind/init.sql
