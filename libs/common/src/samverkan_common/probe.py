"""Kubernetes probes for a nameko service, run beside it in the same pod.

``python -m samverkan_common.probe ready --config /app/config.yaml`` (or the
``samverkan-probe`` console script) reads the same config file the service
reads and exits 0 or 1:

- ``ready``: the service process (``--pid``) holds its connection to the broker
  (``AMQP_URI``; a fresh one from the probe stands in when its sockets cannot be
  seen) and the service's database (``DATABASE_URL``) answers. Only what this pod
  needs: never another service. Until both answer, a rollout does not go on.
- ``migrated``: waits until the database's alembic revision is this image's
  newest (the migration Job ran); an init container of every Deployment, so a
  new version starts only on a migrated schema, and no replica migrates.
- ``live``: fails only when the broker answers this pod but the service
  process (PID 1 of the container, ``--pid``) holds no connection to it, that
  is it lost its consumer and did not get it back. A broker or database
  outage alone never fails it: restarting every replica would not bring the
  broker back.

The connection check matches the socket inodes in ``/proc/<pid>/fd`` with
the established connections in ``/proc/<pid>/net/tcp`` and ``tcp6``; the
probe runs as the same user as the service, so it may read them.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from urllib.parse import urlsplit

from . import config

TCP_ESTABLISHED = "01"
SOCKET_LINK = re.compile(r"^socket:\[(\d+)\]$")
DEFAULT_TIMEOUT_SECONDS = 3.0


class ProbeFailed(Exception):
    """What is wrong, in one line an operator reads in ``kubectl describe pod``."""


def amqp_port(uri: str) -> int:
    """The broker port of an AMQP URI (5672, or 5671 for ``amqps``)."""
    parts = urlsplit(uri)
    if parts.port:
        return parts.port
    return 5671 if parts.scheme == "amqps" else 5672


def established_remote_ports(tables: Iterable[str], inodes: set[int] | None = None) -> set[int]:
    """Remote ports of the established TCP connections in ``/proc/net/tcp``-format texts.

    With ``inodes``, only the sockets with those inodes (one process's) count.
    """
    ports: set[int] = set()
    for table in tables:
        for line in table.splitlines()[1:]:
            fields = line.split()
            if len(fields) < 10 or fields[3] != TCP_ESTABLISHED:
                continue
            if inodes is not None and int(fields[9]) not in inodes:
                continue
            _address, _, port_hex = fields[2].rpartition(":")
            ports.add(int(port_hex, 16))
    return ports


def socket_inodes(pid: int) -> set[int]:
    """The inodes of the sockets process ``pid`` holds open."""
    inodes: set[int] = set()
    fd_dir = Path(f"/proc/{pid}/fd")
    try:
        links = [os.readlink(fd_dir / name) for name in os.listdir(fd_dir)]
    except OSError as error:
        raise ProbeFailed(f"cannot read {fd_dir}: {error.strerror}") from None
    for link in links:
        if match := SOCKET_LINK.match(link):
            inodes.add(int(match.group(1)))
    return inodes


def connected_ports(pid: int) -> set[int]:
    """Remote ports of the established TCP connections process ``pid`` holds."""
    tables = [Path(f"/proc/{pid}/net/{name}") for name in ("tcp", "tcp6")]
    texts = [path.read_text(encoding="ascii") for path in tables if path.exists()]
    if not texts:
        raise ProbeFailed(f"cannot read /proc/{pid}/net/tcp: is this Linux?")
    return established_remote_ports(texts, socket_inodes(pid))


def check_broker(uri: str, timeout: float) -> None:
    """Open and close one AMQP connection."""
    from kombu import Connection

    connection = Connection(uri, connect_timeout=timeout)
    try:
        connection.ensure_connection(max_retries=1, timeout=timeout)
    except Exception as error:  # noqa: BLE001 - every failure means "not reachable"
        raise ProbeFailed(f"broker not reachable: {type(error).__name__}: {error}") from None
    finally:
        connection.release()


def check_database(url: str, timeout: float) -> None:
    """Run ``SELECT 1`` on the service's database."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    connect_args: dict[str, object] = {}
    if url.startswith("postgresql"):
        connect_args["connect_timeout"] = max(1, int(timeout))
    elif url.startswith("sqlite"):
        connect_args["timeout"] = timeout
    engine = create_engine(url, connect_args=connect_args, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:  # noqa: BLE001
        raise ProbeFailed(f"database not reachable: {type(error).__name__}") from None
    finally:
        engine.dispose()


def schema_state(package: str, url: str) -> tuple[set[str], set[str], set[str]]:
    """(the package's head revisions, the database's current ones, all the package knows)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    from .migrations import alembic_config

    script = ScriptDirectory.from_config(alembic_config(package, url))
    known = {revision.revision for revision in script.walk_revisions()}
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
    finally:
        engine.dispose()
    return set(script.get_heads()), current, known


def migrated(package: str, url: str, wait_seconds: float, poll_seconds: float = 2.0) -> str:
    """Return once the database is at this package's head (or ahead of it, after a rollback)."""
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            heads, current, known = schema_state(package, url)
        except Exception as error:  # noqa: BLE001 - the database may not be up yet: keep waiting
            state = f"database not reachable ({type(error).__name__})"
        else:
            if current == heads:
                return f"{package} is at {', '.join(sorted(heads))}"
            if current - known:
                # A newer image migrated further; this (older) image is being rolled back onto it.
                return f"{package}: the database is ahead of this image ({', '.join(sorted(current))})"
            state = f"at {', '.join(sorted(current)) or 'no revision'}, waiting for {', '.join(sorted(heads))}"
        if time.monotonic() >= deadline:
            raise ProbeFailed(f"{package} not migrated after {wait_seconds:.0f} s: {state}")
        print(f"migrated: {state}", file=sys.stderr, flush=True)
        time.sleep(poll_seconds)


def ready(settings: dict[str, object], timeout: float, pid: int | None = None) -> None:
    """This pod's own needs only: its broker connection and its database; never another service.

    With ``pid`` (the service process), the broker counts when that process holds its connection;
    when its sockets cannot be seen, a fresh connection from the probe stands in for it.
    """
    uri = str(settings["AMQP_URI"])
    if pid is None:
        check_broker(uri, timeout)
    else:
        try:
            connected = amqp_port(uri) in connected_ports(pid)
        except ProbeFailed:
            check_broker(uri, timeout)
        else:
            if not connected:
                check_broker(uri, timeout)  # says "broker not reachable" when that is why
                raise ProbeFailed(f"the service (pid {pid}) holds no connection to the broker yet")
    check_database(str(settings["DATABASE_URL"]), timeout)


def live(settings: dict[str, object], timeout: float, pid: int = 1) -> None:
    uri = str(settings["AMQP_URI"])
    try:
        if amqp_port(uri) in connected_ports(pid):
            return
    except ProbeFailed as failure:
        # Cannot see the process's sockets (another PID namespace layout, a hardened /proc):
        # restarting on that would restart forever, so this probe then says nothing.
        print(f"live: cannot tell, passing: {failure}", file=sys.stderr)
        return
    try:
        check_broker(uri, timeout)
    except ProbeFailed:
        return  # the broker is away: readiness says so; a restart would not help
    raise ProbeFailed(f"the broker answers but the service (pid {pid}) holds no connection to it")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="samverkan-probe", description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=["ready", "live", "migrated"])
    parser.add_argument("--config", help="the service's nameko config.yaml (AMQP_URI, DATABASE_URL)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_SECONDS, help="seconds per check")
    parser.add_argument("--package", help="migrated: the package whose migrations count, e.g. samverkan_events")
    parser.add_argument("--url-env", help="migrated: take the database URL from this variable, not --config")
    parser.add_argument(
        "--pid", type=int, default=1, help="live, ready: the service's process (PID 1 in its container)"
    )
    parser.add_argument("--wait", type=float, default=0.0, help="migrated: seconds to wait for the migration")
    args = parser.parse_args(argv)
    if args.kind == "migrated" and not args.package:
        parser.error("migrated needs --package")
    if not args.config and not (args.kind == "migrated" and args.url_env):
        parser.error("give --config (or, for migrated, --url-env)")
    try:
        if args.kind == "migrated":
            url = os.environ.get(args.url_env, "") if args.url_env else str(config.load(args.config)["DATABASE_URL"])
            if not url:
                raise ProbeFailed(f"{args.url_env} is not set")
            message = migrated(args.package, url, args.wait)
        else:
            settings = config.load(args.config)
            if args.kind == "ready":
                ready(settings, args.timeout, args.pid)
            else:
                live(settings, args.timeout, args.pid)
            message = "ok"
    except ProbeFailed as failure:
        print(f"{args.kind}: {failure}", file=sys.stderr)
        return 1
    print(f"{args.kind}: {message}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
