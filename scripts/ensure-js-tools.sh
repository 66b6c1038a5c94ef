#!/usr/bin/env bash
# What the tests need from outside Python: Debian's Chromium (browser tests) and Node with
# the npm packages pinned in package-lock.json files (axe-core; Mozilla's ical.js as an
# independent reader of our calendar feeds).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

[ -x /usr/bin/chromium ] || apt_install chromium
command -v npm >/dev/null || apt_install nodejs npm
for folder in tests/browser services/events/tests/icaljs; do
  if [ ! -d "$folder/node_modules" ] || [ "$folder/package-lock.json" -nt "$folder/node_modules" ]; then
    say "Installing the npm packages of $folder"
    (cd "$folder" && npm ci --no-audit --no-fund --silent)
  fi
done
