"""The real system, started for a test run: its own vhost, its own PostgreSQL databases.

Each service runs as its own ``nameko run`` process and the gateway under
gunicorn, exactly as ``make up`` starts them, but on PostgreSQL and on a
throw-away RabbitMQ vhost, so tests never see each other's messages.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import create_engine, text

from samverkan_common.migrations import upgrade
from tests.support import secrets_seen

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
RABBIT_API = os.environ.get("RABBIT_API_URI", "http://guest:guest@127.0.0.1:15672")
POSTGRES = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg2://samverkan:samverkan@127.0.0.1:5432")

SERVICES = {
    "registry": ("samverkan_registry", "services/registry"),
    "events": ("samverkan_events", "services/events"),
    "levels_advisor": ("samverkan_advisor", "services/levels-advisor"),
    "notifier": ("samverkan_notifier", "services/notifier"),
}
DATABASE_ENV = {
    "registry": "REGISTRY_DATABASE_URL",
    "events": "EVENTS_DATABASE_URL",
    "levels_advisor": "ADVISOR_DATABASE_URL",
    "notifier": "NOTIFIER_DATABASE_URL",
}


# SIGTERM to every process of a stack when the test run dies (a timeout, kill -9), so no stack
# outlives it. util-linux's setpriv sets it and execs the command (same pid); a preexec_fn would
# make subprocess fork in Python, which eventlet warns about (and warnings are errors here).
STOP_WITH_PARENT = ["setpriv", "--pdeathsig", "TERM", "--"] if shutil.which("setpriv") else []


def gunicorn_command(bind: str, app: str = "samverkan_gateway.wsgi:app") -> list[str]:
    """gunicorn with the gateway's settings (samverkan_gateway/serving.py), as ``make up`` and the image run it."""
    return [str(BIN / "gunicorn"), "--config", "python:samverkan_gateway.serving", "--bind", bind, app]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Vhost:
    """A RabbitMQ virtual host of our own, made and removed through the management API."""

    def __init__(self) -> None:
        self.name = f"samverkan-test-{uuid.uuid4().hex[:8]}"
        requests.put(f"{RABBIT_API}/api/vhosts/{self.name}", timeout=10).raise_for_status()
        requests.put(
            f"{RABBIT_API}/api/permissions/{self.name}/guest",
            json={"configure": ".*", "write": ".*", "read": ".*"},
            timeout=10,
        ).raise_for_status()
        self.amqp_uri = f"amqp://guest:guest@127.0.0.1:5672/{self.name}"

    def delete(self) -> None:
        requests.delete(f"{RABBIT_API}/api/vhosts/{self.name}", timeout=30)


class Databases:
    """One fresh PostgreSQL database per component, migrated to the newest revision."""

    def __init__(self, components: dict[str, str]) -> None:
        prefix = f"samverkan_test_{uuid.uuid4().hex[:8]}"
        self.urls = {name: f"{POSTGRES}/{prefix}_{name}" for name in components}
        for name, package in components.items():
            upgrade(package, self.urls[name])

    def drop(self) -> None:
        server = create_engine(f"{POSTGRES}/postgres", isolation_level="AUTOCOMMIT")
        with server.connect() as connection:
            for url in self.urls.values():
                connection.execute(text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
        server.dispose()


@dataclass
class Stack:
    vhost: Vhost
    databases: Databases
    port: int
    log_dir: Path
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    overrides: dict[str, str] = field(default_factory=dict)

    @classmethod
    def start(cls, log_dir: Path, **overrides: str) -> Stack:
        """The whole system; ``overrides`` are environment settings for every process (e.g. SMTP_PORT)."""
        secrets_seen.watch_logs(log_dir)  # read for secrets and personal data when the session ends
        vhost = Vhost()
        databases = Databases({**{n: p for n, (p, _) in SERVICES.items()}, "gateway": "samverkan_gateway"})
        stack = cls(vhost, databases, free_port(), log_dir, overrides=overrides)
        try:
            for name in SERVICES:
                stack.start_service(name)
            stack.start_gateway()
            stack.wait_ready()
        except BaseException:
            stack.stop()  # a stack that never became ready leaves no processes, vhost or databases behind
            raise
        return stack

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def env(self) -> dict[str, str]:
        env = {
            **os.environ,
            "AMQP_URI": self.vhost.amqp_uri,
            "GATEWAY_DATABASE_URL": self.databases.urls["gateway"],
            "MAX_WORKERS": "10",
            # The test gateway speaks plain http; a Secure cookie would never come back.
            "SESSION_COOKIE_SECURE": "false",
            "PYTHONUNBUFFERED": "1",
        }
        env.update({DATABASE_ENV[name]: self.databases.urls[name] for name in SERVICES})
        env.update(self.overrides)
        return env

    def start_service(self, name: str) -> None:
        package, folder = SERVICES[name]
        self._spawn(
            name,
            [
                str(BIN / "nameko"),
                "run",
                "--config",
                f"{folder}/config.yaml",
                f"{package}.entrypoints.service",
            ],
        )

    def start_gateway(self) -> None:
        self._spawn(
            "gateway",
            gunicorn_command(f"127.0.0.1:{self.port}"),
        )

    def kill(self, name: str) -> None:
        """kill -9: no goodbye, no cleanup, as a crash."""
        process = self.processes.pop(name)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)

    def wait_ready(self, timeout: float = 60) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        last: Any = None
        while time.monotonic() < deadline:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise RuntimeError(f"{name} exited with {process.returncode}; see {self.log_dir}/{name}.log")
            try:
                # /readyz is the gateway's own broker and database; /status says whether every service answers.
                last = requests.get(f"{self.url}/readyz", timeout=5)
                if last.status_code == 200:
                    last = requests.get(f"{self.url}/status", timeout=5)
                    if last.json()["status"] == "ok":
                        return dict(last.json())
            except (requests.ConnectionError, requests.Timeout) as error:  # not listening yet, or still booting
                last = error
            time.sleep(0.2)
        raise TimeoutError(f"not ready within {timeout} s: {getattr(last, 'text', last)}")

    def cli(self, *args: str, stdin: str | None = None) -> str:
        """Run ``samverkan-gateway``; ``stdin`` is its standard input (a password for ``users create``)."""
        output = subprocess.run(
            [str(BIN / "samverkan-gateway"), *args],
            env=self.env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
            input=stdin,
        ).stdout
        secrets_seen.from_cli(args, output, stdin)  # the tokens and passwords it made must never be logged
        return output

    def stop(self) -> None:
        for process in self.processes.values():
            process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        self.processes.clear()
        self.databases.drop()
        self.vhost.delete()

    def _spawn(self, name: str, command: list[str]) -> None:
        # The child keeps its own copy of the file descriptor; ours can close at once.
        with (self.log_dir / f"{name}.log").open("ab") as log:
            self.processes[name] = subprocess.Popen(
                [*STOP_WITH_PARENT, *command], cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )


PUBLIC_URL = "https://samverkan.example.org"  # the links in the e2e tests' e-mail


def mailing_to(smtp_server: Any) -> dict[str, str]:
    """Settings for a stack whose notifier sends to ``smtp_server`` (anything with a ``port``) at once."""
    return {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp_server.port),
        "PUBLIC_URL": PUBLIC_URL,
        "NOTIFIER_DELIVERY_INTERVAL": "0.2",
    }
