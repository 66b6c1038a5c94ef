#!/usr/bin/env bash
# `make soak`: the long variants of the fault tests (more writes, longer outages, several broker and
# PostgreSQL restarts, every service killed three times), on real RabbitMQ and PostgreSQL.
# Restarts the local broker and PostgreSQL: run it on a machine nobody else is testing on.
# Rewrites their sections of docs/reliability.md. Extra arguments go to pytest (e.g. -k registry).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

bash scripts/setup.sh
bash scripts/ensure-rabbitmq.sh --management
bash scripts/ensure-postgres.sh

say "Soak: the long fault tests (about 15 minutes; figures in docs/reliability.md)"
# A soak test runs for minutes: the 300 s per-test limit of pyproject.toml is for `make test`.
SAMVERKAN_SOAK=1 exec "$VENV/bin/pytest" --timeout=1500 tests/reliability "$@"
