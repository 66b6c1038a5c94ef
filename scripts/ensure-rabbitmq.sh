#!/usr/bin/env bash
# Make sure RabbitMQ runs on 127.0.0.1:5672: start it if installed, install it (as root) if not.
# With --management, also enable the management API that nameko's test fixtures use.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

wait_for_port() { # port seconds
  for _ in $(seq "$2"); do port_open 127.0.0.1 "$1" && return 0; sleep 1; done
  return 1
}

if ! port_open 127.0.0.1 5672; then
  command -v rabbitmq-server >/dev/null || [ -x /usr/sbin/rabbitmq-server ] || apt_install rabbitmq-server
  is_root || die "RabbitMQ is installed but not running. Start it (sudo rabbitmq-server -detached) and run the command again."
  env_conf=/etc/rabbitmq/rabbitmq-env.conf
  # Started outside systemd the broker gets 1,024 open files, and then a restart with many queues hangs.
  if ! grep -q "ulimit -S -n" "$env_conf" 2>/dev/null; then
    mkdir -p /etc/rabbitmq && echo "ulimit -S -n 20000" >> "$env_conf"
  fi
  say "Starting RabbitMQ"
  PATH="$PATH:/usr/sbin" rabbitmq-server -detached
  wait_for_port 5672 60 || die "RabbitMQ did not start within 60 s; see /var/log/rabbitmq/."
fi

if [ "${1:-}" = "--management" ] && ! port_open 127.0.0.1 15672; then
  is_root || die "Enable RabbitMQ's management plugin (sudo rabbitmq-plugins enable rabbitmq_management) and run the command again."
  say "Enabling RabbitMQ's management plugin"
  PATH="$PATH:/usr/sbin" rabbitmq-plugins enable --quiet rabbitmq_management >/dev/null
  wait_for_port 15672 60 || die "RabbitMQ's management API did not come up on port 15672."
fi
