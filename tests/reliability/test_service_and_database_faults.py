"""Each service killed in turn, and PostgreSQL restarted, while the gateway takes writes.

Every write the gateway accepted (2xx) must be found afterwards, every meeting
must yield its notifications exactly once, and while something is away the
gateway answers 503 or 504 with a problem document, never 500 or 502.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.support.reliability_report import by_status, load, record
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
    accepted_at: list[float] = field(default_factory=list)  # time.monotonic() of each accepted write

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
                self.accepted_at.append(time.monotonic())
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


def assert_nothing_accepted_was_lost(stream, public, operator, fault):
    record(fault, writes_sent=stream.count, **by_status("refused_", stream.refused))
    assert set(stream.refused) <= {503, 504}, stream.refused
    assert stream.not_problems == []
    found = 0
    for meeting in stream.accepted["meeting"]:
        assert public.get(f"/api/v1/meetings/{meeting['id']}").status_code == 200
        found += 1
    for organisation in stream.accepted["organisation"]:
        assert public.get(f"/api/v1/organisations/{organisation['id']}").status_code == 200
        found += 1
    record(
        fault,
        writes_accepted=len(stream.accepted["meeting"]) + len(stream.accepted["organisation"]),
        writes_found=found,
    )
    subjects = {f"Nytt möte: {meeting['title']}" for meeting in stream.accepted["meeting"]}
    seen = wait_until(
        lambda: notified(operator, subjects),
        lambda counted: sum(counted.values()) >= 2 * len(subjects),
        timeout=load(120, 300),
    )
    record(
        fault,
        events_expected=2 * len(subjects),
        events_delivered=sum(seen.values()),
        duplicates=sum(max(0, count - 2) for count in seen.values()),
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
    kills, away, between = load(1, 3), load(6, 12), load(20, 60)  # `make soak`: three longer outages
    outages, recoveries = [], []
    writes.until(writes.count + 20)
    for _ in range(kills):
        killed = time.monotonic()
        stack.kill(service)
        writes.until(writes.count + away)  # each write to the dead service waits out the RPC timeout
        started = time.monotonic()
        stack.start_service(service)
        stack.wait_ready()
        outages.append(time.monotonic() - killed)
        recoveries.append(time.monotonic() - started)
        writes.until(writes.count + between)
    writes.stop.set()

    record(
        f"kill-{service}",
        title=f"Kill -9 the {service} service while writes stream in",
        what=f"{service} killed (SIGKILL) {kills}× after 20 writes, left dead for {away} writes, started again, "
        f"then {between} more writes; recovered = from the new process's start until /readyz is 200 (the longest)",
        load="one planner writing back to back, meetings and organisations by turns; 2 followers of the forum",
        outage_s=round(max(outages), 1),
        recovered_s=round(max(recoveries), 1),
    )
    assert writes.accepted["meeting"]
    assert writes.accepted["organisation"]
    assert_nothing_accepted_was_lost(writes, public, operator, f"kill-{service}")


def postgres(action: str) -> None:
    version = sorted(path.name for path in Path("/etc/postgresql").iterdir())[-1]
    command = shutil.which("pg_ctlcluster") or "/usr/bin/pg_ctlcluster"
    subprocess.run(
        [command, "--skip-systemctl-redirect", version, "main", action], check=True, timeout=120, capture_output=True
    )


def test_restarting_postgresql_loses_no_accepted_write(stack, writes, public, operator):
    restarts, between = load(1, 3), load(40, 100)  # `make soak`: three restarts, more writes after each
    recoveries = []
    writes.until(writes.count + 20)
    for _ in range(restarts):
        began = time.monotonic()
        postgres("restart")
        back = time.monotonic()
        writes.until(writes.count + between)
        first = next((moment for moment in writes.accepted_at if moment > back), None)
        recoveries.append("never" if first is None else round(first - began, 1))
    writes.stop.set()
    stack.wait_ready()

    record(
        "restart-postgresql",
        title="Restart PostgreSQL while writes stream in",
        what=f"`pg_ctlcluster … restart` {restarts}× after 20 writes, then {between} writes after each; "
        "recovered = from the start of the restart to the first write accepted after PostgreSQL was back",
        load="one planner writing back to back, meetings and organisations by turns; 2 followers of the forum",
        recovered_s=", ".join(str(seconds) for seconds in recoveries),
    )
    assert_nothing_accepted_was_lost(writes, public, operator, "restart-postgresql")
