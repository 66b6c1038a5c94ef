#!/usr/bin/env bash
# `make up`: the whole system on this machine with demo data, until Ctrl-C.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

PORT=${PORT:-8000}
export GATEWAY_BIND="127.0.0.1:$PORT"
export PUBLIC_URL="${PUBLIC_URL:-http://127.0.0.1:$PORT}"
export PATH="$VENV/bin:$PATH"

bash scripts/setup.sh
bash scripts/ensure-rabbitmq.sh

say "Migrating the databases under var/"
mkdir -p var
samverkan-migrate samverkan_registry --url "${REGISTRY_DATABASE_URL:-sqlite:///var/registry.db}"
samverkan-migrate samverkan_events --url "${EVENTS_DATABASE_URL:-sqlite:///var/events.db}"
samverkan-migrate samverkan_advisor --url "${ADVISOR_DATABASE_URL:-sqlite:///var/advisor.db}"
samverkan-migrate samverkan_notifier --url "${NOTIFIER_DATABASE_URL:-sqlite:///var/notifier.db}"
samverkan-gateway migrate

port_open 127.0.0.1 "$PORT" && die "Port $PORT is taken. Stop what uses it, or run: make up PORT=8001"

say "Starting the four services and the gateway"
honcho start -f Procfile &
honcho_pid=$!
stop() {
  trap - INT TERM EXIT
  say "Stopping"
  kill -TERM "$honcho_pid" 2>/dev/null || true
  wait "$honcho_pid" 2>/dev/null || true
}
trap stop INT TERM EXIT

ready=""
for _ in $(seq 60); do
  kill -0 "$honcho_pid" 2>/dev/null || die "A process stopped during start-up; see the lines above."
  # /readyz is the gateway's own; /status says every service answers (the demo needs them all).
  if python3 -c "import json, urllib.request as u; u.urlopen('http://127.0.0.1:$PORT/readyz', timeout=3); assert json.load(u.urlopen('http://127.0.0.1:$PORT/status', timeout=5))['status'] == 'ok'" 2>/dev/null; then
    ready=yes; break
  fi
  sleep 1
done
[ -n "$ready" ] || die "The system was not ready within 60 s: http://127.0.0.1:$PORT/status shows which part is missing."

say "Loading the demo region (organisations, a year of meetings, plans; the first time about half a minute)"
samverkan-gateway demo --region --tokens-file var/demo-tokens.json
cat <<MSG

  Samverkan runs at  http://127.0.0.1:$PORT/
  API documentation  http://127.0.0.1:$PORT/api/docs
  A calendar feed    http://127.0.0.1:$PORT/feeds/forums/ros-gruppen.ics

  Demo tokens (also in var/demo-tokens.json), send as  Authorization: Bearer <token>
$(python3 -c 'import json; [print(f"    {k:<13}{v}") for k, v in json.load(open("var/demo-tokens.json")).items()]')

  E-mail the notifier sends lands in var/mail/ (a local mail catcher).

  Press Ctrl-C to stop.
MSG
wait "$honcho_pid"
