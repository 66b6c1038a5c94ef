"""What gunicorn refuses before Flask sees it is problem+json too, through the real gunicorn.

The gateway runs here alone (no services: nothing below needs one), started as ``make up`` and the
image start it, and the requests are raw bytes on a socket: no client library would send them.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from samverkan_common.migrations import upgrade
from tests.support.stack import ROOT, STOP_WITH_PARENT, free_port, gunicorn_command

pytestmark = pytest.mark.e2e


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def problem(self) -> dict[str, Any]:
        assert self.headers["content-type"] == "application/problem+json"
        assert int(self.headers["content-length"]) == len(self.body)
        problem = json.loads(self.body)
        assert set(problem) == {"type", "title", "status", "detail", "code"}
        assert problem["status"] == self.status
        assert problem["type"] == "https://samverkan.example.org/problems/" + problem["code"].lower().replace("_", "-")
        return dict(problem)


@pytest.fixture(scope="module")
def gateway(tmp_path_factory) -> Any:
    folder: Path = tmp_path_factory.mktemp("gateway")
    database = f"sqlite:///{folder}/gateway.db"
    upgrade("samverkan_gateway", database)
    port = free_port()
    # Counted in this process alone: the variable, even empty, would put metric files in the working folder.
    env = {name: value for name, value in os.environ.items() if name != "PROMETHEUS_MULTIPROC_DIR"}
    env |= {
        "GATEWAY_DATABASE_URL": database,
        # Nothing listens there: no request below reaches a service.
        "AMQP_URI": f"amqp://guest:guest@127.0.0.1:{free_port()}/",
        "SECRET_KEY": "errors-below-flask",
        "SESSION_COOKIE_SECURE": "false",
    }
    with (folder / "gateway.log").open("ab") as log:
        process = subprocess.Popen(
            [*STOP_WITH_PARENT, *gunicorn_command(f"127.0.0.1:{port}")],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, (folder / "gateway.log").read_text()
            try:
                if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200:
                    break
            # Not listening yet, or listening while the worker still loads the application.
            except (requests.ConnectionError, requests.Timeout):
                assert time.monotonic() < deadline, (folder / "gateway.log").read_text()
                time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


def read_answer(sock: socket.socket, buffer: bytes = b"") -> tuple[Answer, bytes]:
    """One response from the socket (by its Content-Length), and what came after it."""
    while b"\r\n\r\n" not in buffer:
        chunk = sock.recv(65536)
        assert chunk, f"the connection closed before a whole response: {buffer!r}"
        buffer += chunk
    head, _, rest = buffer.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value.strip() for name, value in (line.split(":", 1) for line in lines)}
    length = int(headers["content-length"])
    while len(rest) < length:
        chunk = sock.recv(65536)
        assert chunk, "the connection closed in the middle of the body"
        rest += chunk
    return Answer(int(status_line.split()[1]), headers, rest[:length]), rest[length:]


def send(port: int, data: bytes) -> Answer:
    """Send the bytes, read the answer, and check that the server then closes the connection."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(data)
        answer, rest = read_answer(sock)
        assert answer.headers["connection"] == "close"
        while chunk := sock.recv(65536):  # a server that kept the connection open would time out here
            rest += chunk
        assert rest == b"", "nothing may follow the answer"
    return answer


def test_a_5000_character_query_string_is_a_414_problem(gateway):
    answer = send(gateway, b"GET /api/v1/organisations?q=" + b"a" * 5000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    assert answer.status == 414
    problem = answer.problem()
    assert problem["code"] == "URI_TOO_LONG"
    assert problem["title"] == "URI Too Long"
    assert "4094 bytes" in problem["detail"]


def test_a_20_kb_header_is_a_431_problem(gateway):
    answer = send(gateway, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 20_000 + b"\r\n\r\n")
    assert answer.status == 431
    assert answer.problem()["code"] == "REQUEST_HEADER_FIELDS_TOO_LARGE"


def test_too_many_headers_is_a_431_problem(gateway):
    headers = b"".join(b"X-H%d: 1\r\n" % number for number in range(150))
    answer = send(gateway, b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + headers + b"\r\n")
    assert answer.status == 431
    assert answer.problem()["code"] == "REQUEST_HEADER_FIELDS_TOO_LARGE"


@pytest.mark.parametrize(
    "request_line",
    [b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", b"GARBAGE\x01\x02 / HTTP/1.1", b"GET / HTTP/9.9", b"GET /"],
    ids=["tls-hello", "garbage-method", "http-9.9", "no-version"],
)
def test_a_malformed_request_line_is_a_400_problem(gateway, request_line):
    answer = send(gateway, request_line + b"\r\nHost: x\r\n\r\n")
    assert answer.status == 400
    problem = answer.problem()
    assert problem["code"] == "BAD_REQUEST"
    assert problem["detail"].startswith("The request is not valid HTTP/1.1")


def test_a_malformed_header_is_a_400_problem(gateway):
    answer = send(gateway, b"GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n")
    assert answer.status == 400
    assert answer.problem()["code"] == "BAD_REQUEST"


def test_the_answers_carry_the_gateways_security_headers(gateway):
    answer = send(gateway, b"GET /?q=" + b"a" * 5000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    # A browser may not sniff the JSON into something else, nor frame it.
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["x-frame-options"] == "DENY"


def test_good_requests_keep_their_connection_and_a_bad_one_after_them_ends_it(gateway):
    with socket.create_connection(("127.0.0.1", gateway), timeout=30) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        first, rest = read_answer(sock)
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        second, rest = read_answer(sock, rest)
        assert (first.status, second.status) == (200, 200)
        assert json.loads(second.body) == {"status": "alive"}
        assert second.headers.get("connection", "keep-alive").lower() == "keep-alive"
        sock.sendall(b"GET /?q=" + b"a" * 5000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
        third, rest = read_answer(sock, rest)
        assert third.status == 414
        assert third.problem()["code"] == "URI_TOO_LONG"
        assert sock.recv(65536) == b""  # closed


def test_the_server_still_answers_after_the_refusals(gateway):
    for _ in range(3):
        send(gateway, b"GARBAGE\r\n\r\n")
    assert requests.get(f"http://127.0.0.1:{gateway}/healthz", timeout=30).json() == {"status": "alive"}


def test_an_unknown_api_path_under_gunicorn_is_still_flasks_problem(gateway):
    response = requests.get(f"http://127.0.0.1:{gateway}/api/v1/no-such-thing", timeout=30)
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "NOT_FOUND"
