from __future__ import annotations

import os
import shutil
import tempfile

import pytest

from services.notifier.tests.loopback import SmtpServer
from tests.support import reliability_report, secrets_seen
from tests.support.http import Client
from tests.support.stack import Stack

# The outcome of every test that ran, by node id, so docs/reliability.md says whether a fault test passed.
_outcomes: dict[str, str] = {}


def pytest_sessionstart(session):
    # Each session records its reliability figures in a directory of its own: sessions run side by side.
    os.environ[reliability_report.RESULTS_ENV] = tempfile.mkdtemp(prefix="samverkan-reliability-")


def pytest_runtest_logreport(report):
    if report.failed:
        _outcomes[report.nodeid] = "failed"
    elif report.when == "call" and report.passed:
        _outcomes.setdefault(report.nodeid, "passed")


def pytest_sessionfinish(session, exitstatus):
    # Only the faults this session recorded are rewritten in docs/reliability.md; a run without any leaves it.
    directory = reliability_report.results_dir()
    reliability_report.write_document(reliability_report.recorded(directory), _outcomes)
    shutil.rmtree(directory, ignore_errors=True)
    # Every stack has stopped by now, so its logs are whole: none may hold a token, a password or personal data.
    secrets_seen.fail_session_on_leaks(session)


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    running = Stack.start(tmp_path_factory.mktemp("logs"))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def smtp_server(tmp_path_factory):
    """A real SMTP server on loopback that keeps what it receives in a Maildir (the e2e mail tests)."""
    server = SmtpServer(tmp_path_factory.mktemp("maildir") / "box")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def tokens(stack):
    return {
        role: stack.cli("tokens", "create", "--role", role, "--name", f"e2e {role}").strip()
        for role in ("organisation", "planner", "operator")
    }


@pytest.fixture(scope="module")
def public(stack):
    return Client(stack.url, None)


@pytest.fixture(scope="module")
def planner(stack, tokens):
    return Client(stack.url, tokens["planner"])


@pytest.fixture(scope="module")
def operator(stack, tokens):
    return Client(stack.url, tokens["operator"])


@pytest.fixture(scope="module")
def organisation(stack, tokens):
    return Client(stack.url, tokens["organisation"])
