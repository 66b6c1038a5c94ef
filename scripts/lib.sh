# Shared by the scripts: where things are, and how to say what went wrong.
# shellcheck shell=bash
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV="$ROOT/.venv"
say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf 'samverkan: %s\n' "$*" >&2; exit 1; }
is_root() { [ "$(id -u)" = 0 ]; }
port_open() { # host port
  "${PYTHON:-python3}" - "$1" "$2" <<'PY'
import socket, sys
try:
    socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=1).close()
except OSError:
    sys.exit(1)
PY
}
apt_install() {
  is_root || die "$1 is missing. Install it (sudo apt-get install $*) and run the command again."
  say "Installing $* with apt-get"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
