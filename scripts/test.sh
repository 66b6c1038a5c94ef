#!/usr/bin/env bash
# `make test`: everything a change must pass, on real RabbitMQ and real PostgreSQL.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

bash scripts/setup.sh
bash scripts/ensure-rabbitmq.sh --management
bash scripts/ensure-postgres.sh

say "ruff"
"$VENV/bin/ruff" check .
"$VENV/bin/ruff" format --check .

say "mypy (strict for the gateway and the services' domain)"
"$VENV/bin/mypy"

say "pytest"
exec "$VENV/bin/pytest" "$@"
