"""Each service killed in turn, and PostgreSQL restarted, while the gateway takes writes.

Every write the gateway accepted (2xx) must be found afterwards, every meeting
must yield its notifications exactly once, and while something is away the
gateway answers 503 or 504 with a problem document, never 500 or 502.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.support.waiting import wait_until

pytestmark = pytest.mark.reliability

FOLLOWERS = ("anna@example.org", "bo@example.org")


@dataclass
class Writes:
    """A steady stream of writes of every kind, one after another, until stopped."""

    planner: object
    forum_slug: str
    accepted: dict[str, list[dict]] = field(default_factory=lambda: {"meeting": [], "organisation": []})
    refused: Counter = field(default_factory=Counter)
    not_problems: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    count: int = 0

    def run(self) -> None:
        run = uuid.uuid4().hex[:6]
        while not self.stop.is_set():
            self.count += 1
            if self.count % 2:
                response = self.planner.post(
                    "/api/v1/meetings",
                    json={
                        "forum_slug": self.forum_slug,
                        "title": f"Möte {self.count} ({run})",
                        "level": "dialogue",
                        "starts_at": "2027-10-01T10:00:00",
                        "ends_at": "2027-10-01T11:00:00",
                    },
                )
                kind = "meeting"
            else:
                response = self.planner.post(
                    "/api/v1/organisations",
                    json={"name": f"Förening {self.count} ({run})", "kind": "natverk", "municipality_code": "1480"},
                )
                kind = "organisation"
            if response.status_code in (200, 201):
                self.accepted[kind].append(response.json())
            else:
                self.refused[response.status_code] += 1
                if response.headers.get("Content-Type") != "application/problem+json":
                    self.not_problems.append(response.text[:200])

    def until(self, total: int) -> None:
        wait_until(lambda: self.count, lambda count: count >= total, timeout=120)


@pytest.fixture
def writes(planner, organisation):
    slug = f"forum-{uuid.uuid4().hex[:8]}"
    assert (
        planner.post("/api/v1/forums", json={"slug": slug, "name": "Felforum", "owner_committee": "BMR"}).status_code
        == 201
    )
    for address in FOLLOWERS:
        assert (
            organisation.post("/api/v1/subscriptions", json={"forum_slug": slug, "address": address}).status_code == 201
        )
    stream = Writes(planner, slug)
    thread = threading.Thread(target=stream.run, daemon=True)
    thread.start()
    yield stream
    stream.stop.set()
    thread.join(timeout=60)


def assert_nothing_accepted_was_lost(stream, public, operator):
    assert set(stream.refused) <= {503, 504}, stream.refused
    assert stream.not_problems == []
    for meeting in stream.accepted["meeting"]:
        assert public.get(f"/api/v1/meetings/{meeting['id']}").status_code == 200
    for organisation in stream.accepted["organisation"]:
        assert public.get(f"/api/v1/organisations/{organisation['id']}").status_code == 200
    subjects = {f"Nytt möte: {meeting['title']}" for meeting in stream.accepted["meeting"]}
    seen = wait_until(
        lambda: notified(operator, subjects), lambda counted: sum(counted.values()) >= 2 * len(subjects), timeout=120
    )
    assert seen == dict.fromkeys(subjects, 2)


def notified(operator, subjects):
    counted: Counter = Counter()
    page = 1
    while True:
        body = operator.get("/api/v1/notifications", params={"page": page, "per_page": 100}).json()
        counted.update(item["subject"] for item in body["items"] if item["subject"] in subjects)
        if page * 100 >= body["total"]:
            return dict(counted)
        page += 1


@pytest.mark.parametrize("service", ["registry", "events", "levels_advisor", "notifier"])
def test_killing_a_service_loses_no_accepted_write(stack, service, writes, public, operator):
    writes.until(writes.count + 20)
    stack.kill(service)
    writes.until(writes.count + 6)  # each write to the dead service waits out the RPC timeout
    stack.start_service(service)
    stack.wait_ready()
    writes.until(writes.count + 20)
    writes.stop.set()

    assert writes.accepted["meeting"]
    assert writes.accepted["organisation"]
    assert_nothing_accepted_was_lost(writes, public, operator)


def postgres(action: str) -> None:
    version = sorted(path.name for path in Path("/etc/postgresql").iterdir())[-1]
    command = shutil.which("pg_ctlcluster") or "/usr/bin/pg_ctlcluster"
    subprocess.run(
        [command, "--skip-systemctl-redirect", version, "main", action], check=True, timeout=120, capture_output=True
    )


def test_restarting_postgresql_loses_no_accepted_write(stack, writes, public, operator):
    writes.until(writes.count + 20)
    postgres("restart")
    writes.until(writes.count + 40)
    writes.stop.set()
    stack.wait_ready()

    assert_nothing_accepted_was_lost(writes, public, operator)
