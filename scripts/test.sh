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

say "Kubernetes manifests (make k8s-check)"
bash scripts/k8s-check.sh

bash scripts/ensure-js-tools.sh

say "pytest: unit, service, integration, end-to-end, reliability"
"$VENV/bin/pytest" "$@"

say "pytest: pages in Chromium"
SAMVERKAN_EVENTLET=0 "$VENV/bin/pytest" tests/browser --suppress-nameko-eventlet-notification "$@"
