-- pind database, roles and schemas. Idempotent: safe to run on every setup.
-- Used by deploy/postgres/setup.sh (local cluster) and by
-- deploy/docker/postgres-init.sh (the postgres:15 container), so both stacks
-- get the same layout (docs/conventions.md, "Database").
--
-- psql variables (all required): pw_auth pw_gateway pw_ingest pw_transcript
-- pw_vision pw_geo pw_admin. Run as a superuser connected to database postgres.
\set ON_ERROR_STOP on
SET client_min_messages = warning;

-- One login role per service, plus an admin role for tests.
SELECT format('CREATE ROLE %I LOGIN', r)
FROM unnest(ARRAY['pind_auth', 'pind_gateway', 'pind_ingest', 'pind_transcript',
                  'pind_vision', 'pind_geo', 'pind_admin']) AS r
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r)
\gexec

-- (Re)set passwords every time, so the roles always match the generated env.
ALTER ROLE pind_auth       WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'pw_auth';
ALTER ROLE pind_gateway    WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'pw_gateway';
ALTER ROLE pind_ingest     WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'pw_ingest';
ALTER ROLE pind_transcript WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'pw_transcript';
ALTER ROLE pind_vision     WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'pw_vision';
ALTER ROLE pind_geo        WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'pw_geo';
ALTER ROLE pind_admin      WITH LOGIN SUPERUSER CREATEDB CREATEROLE PASSWORD :'pw_admin';

SELECT 'CREATE DATABASE pind ENCODING ''UTF8'' TEMPLATE template0'
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'pind')
\gexec

-- Only our roles may connect.
REVOKE ALL ON DATABASE pind FROM PUBLIC;
GRANT CONNECT ON DATABASE pind
  TO pind_auth, pind_gateway, pind_ingest, pind_transcript, pind_vision, pind_geo, pind_admin;

\connect pind
SET client_min_messages = warning;

-- Nobody creates objects in public (PostgreSQL 15 already defaults to this).
REVOKE CREATE ON SCHEMA public FROM PUBLIC;

-- One schema per service, owned by that service's role; no grants to others.
CREATE SCHEMA IF NOT EXISTS auth       AUTHORIZATION pind_auth;
CREATE SCHEMA IF NOT EXISTS gateway    AUTHORIZATION pind_gateway;
CREATE SCHEMA IF NOT EXISTS ingest     AUTHORIZATION pind_ingest;
CREATE SCHEMA IF NOT EXISTS transcript AUTHORIZATION pind_transcript;
CREATE SCHEMA IF NOT EXISTS vision     AUTHORIZATION pind_vision;
CREATE SCHEMA IF NOT EXISTS geo        AUTHORIZATION pind_geo;
ALTER SCHEMA auth       OWNER TO pind_auth;
ALTER SCHEMA gateway    OWNER TO pind_gateway;
ALTER SCHEMA ingest     OWNER TO pind_ingest;
ALTER SCHEMA transcript OWNER TO pind_transcript;
ALTER SCHEMA vision     OWNER TO pind_vision;
ALTER SCHEMA geo        OWNER TO pind_geo;

-- Unqualified names resolve to the service's own schema.
ALTER ROLE pind_auth       IN DATABASE pind SET search_path = auth, public;
ALTER ROLE pind_gateway    IN DATABASE pind SET search_path = gateway, public;
ALTER ROLE pind_ingest     IN DATABASE pind SET search_path = ingest, public;
ALTER ROLE pind_transcript IN DATABASE pind SET search_path = transcript, public;
ALTER ROLE pind_vision     IN DATABASE pind SET search_path = vision, public;
ALTER ROLE pind_geo        IN DATABASE pind SET search_path = geo, public;
