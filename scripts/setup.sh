#!/usr/bin/env bash
# Create .venv and install every package of the project at its pinned version.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

PACKAGES=(libs/common services/registry services/events services/levels-advisor services/notifier gateway)
TOOLS=(pytest pytest-timeout ruff mypy types-PyYAML honcho playwright recurring-ical-events aiosmtpd vobject schemathesis py-spy hypothesis)

command -v python3 >/dev/null || apt_install python3 python3-venv
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV" 2>/dev/null || { apt_install python3-venv && rm -rf "$VENV" && python3 -m venv "$VENV"; }
fi

# Reinstall only when a pin or a package definition changed.
stamp="$VENV/.samverkan-installed"
wanted=$(cat constraints.txt "${PACKAGES[@]/%//pyproject.toml}" | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  say "Installing the Python packages into .venv"
  editable=()
  for package in "${PACKAGES[@]}"; do editable+=(-e "$package"); done
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -c constraints.txt "${editable[@]}" "${TOOLS[@]}"
  echo "$wanted" > "$stamp"
fi

# The pages' Swedish texts: the .po catalogue is kept in git, the compiled .mo is built here.
"$VENV/bin/pybabel" -q compile -d gateway/src/samverkan_gateway/translations
