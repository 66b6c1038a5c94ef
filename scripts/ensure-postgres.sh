#!/usr/bin/env bash
# Make sure PostgreSQL runs on 127.0.0.1:5432 with a `samverkan` role that may create databases.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

if ! port_open 127.0.0.1 5432; then
  ls /etc/postgresql/*/main >/dev/null 2>&1 || apt_install postgresql
  is_root || die "PostgreSQL is installed but not running. Start it (sudo pg_ctlcluster <version> main start) and run the command again."
  say "Starting PostgreSQL"
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 30); do port_open 127.0.0.1 5432 && break; sleep 1; done
  port_open 127.0.0.1 5432 || die "PostgreSQL did not start within 30 s."
fi

# The tests connect as samverkan/samverkan; create the role once, through the local superuser.
role_sql="DO \$\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'samverkan') THEN
  CREATE ROLE samverkan LOGIN CREATEDB PASSWORD 'samverkan'; END IF; END \$\$;"
if ! PGPASSWORD=samverkan psql -h 127.0.0.1 -U samverkan -d postgres -Atqc 'SELECT 1' >/dev/null 2>&1; then
  if is_root && command -v runuser >/dev/null; then
    runuser -u postgres -- psql -qc "$role_sql" >/dev/null
  else
    psql -h 127.0.0.1 -U postgres -d postgres -qc "$role_sql" >/dev/null \
      || die "Could not create the PostgreSQL role 'samverkan'. Create it: CREATE ROLE samverkan LOGIN CREATEDB PASSWORD 'samverkan';"
  fi
fi
