#!/usr/bin/env bash
# `make bench`: the benchmark suite on the real stack; rewrites docs/benchmarks.md.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

bash scripts/setup.sh
bash scripts/ensure-rabbitmq.sh --management
bash scripts/ensure-postgres.sh
command -v wrk >/dev/null || apt_install wrk

say "Benchmarks (several minutes; progress below)"
exec "$VENV/bin/python" -m bench.run
