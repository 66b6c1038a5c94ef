"""Real receivers on 127.0.0.1 for tests: an SMTP server (aiosmtpd, its own process) and an HTTP receiver."""

from __future__ import annotations

import email
import email.policy
import json
import mailbox
import socket
import subprocess
import sys
import threading
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tests.support.stack import free_port
from tests.support.waiting import wait_until


def _accepts(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


class SmtpServer:
    """aiosmtpd in a child process, writing every message it accepts to a Maildir."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "aiosmtpd",
                "--nosetuid",
                "--listen",
                f"127.0.0.1:{self.port}",
                "--class",
                "aiosmtpd.handlers.Mailbox",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(lambda: _accepts(self.port), bool, timeout=15)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None
        wait_until(lambda: _accepts(self.port), lambda up: not up, timeout=15)

    def messages(self) -> list[EmailMessage]:
        if not (self.folder / "new").exists():
            return []
        box = mailbox.Maildir(self.folder, factory=None, create=False)
        return [
            email.message_from_bytes(box.get_bytes(key), policy=email.policy.default)  # type: ignore[misc]
            for key in sorted(box.keys())
        ]


TLS_SERVER = """
import ssl, sys, threading
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox
from aiosmtpd.smtp import AuthResult
port, folder, cert, key, user, password = sys.argv[1:7]
context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
context.load_cert_chain(cert, key)
def check(server, session, envelope, mechanism, auth_data):
    return AuthResult(success=auth_data.login.decode() == user and auth_data.password.decode() == password)
controller = Controller(Mailbox(folder), hostname="127.0.0.1", port=int(port), tls_context=context,
                        require_starttls=True, auth_required=True, authenticator=check)
controller.start()
threading.Event().wait()
"""


class TlsSmtpServer(SmtpServer):
    """aiosmtpd that insists on STARTTLS and a login, with a certificate made for 127.0.0.1 by openssl."""

    def __init__(self, folder: Path, user: str, password: str):
        super().__init__(folder)
        self.user, self.password = user, password
        self.cert, self.key = folder.parent / "cert.pem", folder.parent / "key.pem"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
             "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(self.key), "-out", str(self.cert)],
            check=True, capture_output=True,
        )  # fmt: skip

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", TLS_SERVER, str(self.port), str(self.folder), str(self.cert), str(self.key),
             self.user, self.password],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_until(lambda: _accepts(self.port), bool, timeout=15)


class HttpReceiver:
    """A tiny HTTP server in a thread: answers each POST with the next programmed status (then 200)."""

    def __init__(self, statuses: list[int] | None = None):
        self.statuses = list(statuses or [])
        self.requests: list[dict[str, Any]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                receiver.requests.append({"headers": dict(self.headers), "body": body, "status": status})
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def accepted(self) -> list[dict[str, Any]]:
        return [request for request in self.requests if request["status"] == 200]

    @staticmethod
    def json(request: dict[str, Any]) -> Any:
        return json.loads(request["body"])
