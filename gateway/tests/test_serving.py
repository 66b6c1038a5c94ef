"""The worker that answers what gunicorn refuses in problem+json: the same statuses as gunicorn's own.

tests/e2e/test_errors_below_flask.py sends such requests through the real gunicorn; this checks every
error class gunicorn can raise, most of which no test could provoke from outside.
"""

from __future__ import annotations

import inspect
import json
import logging
import ssl
from typing import Any

import pytest
from gunicorn.config import Config
from gunicorn.http import errors
from gunicorn.workers.base import Worker

from samverkan_gateway.serving import CLIENT_ERRORS, ProblemWorker


class CapturingSocket:
    """Takes what a worker writes, as gunicorn's ``util.write_nonblock`` writes it."""

    def __init__(self) -> None:
        self.sent = b""

    def gettimeout(self) -> float:
        return 0.0

    def sendall(self, data: bytes) -> None:
        self.sent += data


class WorkerStandIn:
    """What ``handle_error`` uses of a worker: its settings and its log."""

    def __init__(self) -> None:
        self.cfg = Config()
        self.log = logging.getLogger("test_serving")
        self.log.access = lambda *args: None  # type: ignore[attr-defined]


def raised(cls: type[BaseException]) -> BaseException:
    if cls is ssl.SSLError:
        return ssl.SSLError(1, "handshake failure")
    parameters = [name for name in inspect.signature(cls.__init__).parameters if name != "self"]
    parameters = [name for name in parameters if name not in {"args", "kwargs"}]
    # A request gunicorn had parsed when it found the error is for the access log; none here.
    return cls(*[None if name == "req" else "x" * 5 for name in parameters])


ERRORS = sorted(
    {cls for cls in vars(errors).values() if isinstance(cls, type) and issubclass(cls, errors.ParseException)}
    | {ssl.SSLError, RuntimeError},
    key=lambda cls: cls.__name__,
)


def answer(handle_error: Any, error: BaseException) -> tuple[int, bytes, bytes]:
    sock = CapturingSocket()
    handle_error(WorkerStandIn(), None, sock, ("192.0.2.1", 4321), error)
    head, _, body = sock.sent.partition(b"\r\n\r\n")
    return int(head.split()[1]), head + b"\r\n", body


@pytest.mark.parametrize("cls", ERRORS, ids=lambda cls: cls.__name__)
def test_every_error_gunicorn_can_raise_gets_gunicorns_status_as_a_problem(cls):
    error = raised(cls)
    theirs, _, _ = answer(Worker.handle_error, error)
    ours, head, body = answer(ProblemWorker.handle_error, error)
    assert ours == theirs
    assert b"\r\nContent-Type: application/problem+json\r\n" in head
    assert b"\r\nConnection: close\r\n" in head
    assert f"\r\nContent-Length: {len(body)}\r\n".encode() in head
    problem = json.loads(body)
    assert problem["status"] == ours
    if ours == 500:
        # Our fault: nothing of the cause in the answer.
        assert problem == {
            "type": "https://samverkan.example.org/problems/internal-error",
            "title": "Internal error",
            "status": 500,
            "detail": "Something went wrong on our side.",
            "code": "INTERNAL_ERROR",
        }


def test_the_table_names_only_what_gunicorn_raises():
    for cls in CLIENT_ERRORS:
        assert cls is ssl.SSLError or getattr(errors, cls.__name__) is cls


def test_a_header_the_application_sent_is_our_fault_not_the_clients():
    status, _, body = answer(ProblemWorker.handle_error, errors.InvalidResponseHeader("X-Bad\r\n"))
    assert status == 500
    assert b"X-Bad" not in body
