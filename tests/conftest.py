from __future__ import annotations

import pytest

from tests.support.http import Client
from tests.support.stack import Stack


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    running = Stack.start(tmp_path_factory.mktemp("logs"))
    yield running
    running.stop()


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
