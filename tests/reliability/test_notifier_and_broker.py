"""Nothing accepted is lost when a service is killed or the broker restarts."""

from __future__ import annotations

import shutil
import subprocess
import time
import uuid
from collections import Counter

import pytest

from tests.support.http import feed_titles
from tests.support.reliability_report import by_status, load, record, soak
from tests.support.waiting import wait_until

pytestmark = pytest.mark.reliability

FOLLOWERS = ("anna@example.org", "bo@example.org")


def rabbitmqctl(*args: str) -> None:
    command = shutil.which("rabbitmqctl") or "/usr/sbin/rabbitmqctl"
    subprocess.run([command, "-q", *args], check=True, capture_output=True, timeout=120)


@pytest.fixture
def followed_forum(planner, organisation):
    slug = f"forum-{uuid.uuid4().hex[:8]}"
    assert (
        planner.post("/api/v1/forums", json={"slug": slug, "name": "Testforum", "owner_committee": "BMR"}).status_code
        == 201
    )
    for address in FOLLOWERS:
        assert (
            organisation.post("/api/v1/subscriptions", json={"forum_slug": slug, "address": address}).status_code == 201
        )
    return slug


def schedule(planner, slug, title):
    return planner.post(
        "/api/v1/meetings",
        json={
            "forum_slug": slug,
            "title": title,
            "level": "information",
            "starts_at": "2027-09-01T10:00:00",
            "ends_at": "2027-09-01T11:00:00",
        },
    )


def notification_total(operator):
    return operator.get("/api/v1/notifications", params={"per_page": 1}).json()["total"]


def notifications_by_subject(operator):
    """Every notification in the log, read once the log has stopped growing."""
    counted: Counter[str] = Counter()
    pairs: Counter[tuple[str, str]] = Counter()
    page = 1
    while True:
        body = operator.get("/api/v1/notifications", params={"page": page, "per_page": 100}).json()
        for item in body["items"]:
            counted[item["subject"]] += 1
            pairs[(item["event_id"], item["address"])] += 1
        if page * 100 >= body["total"]:
            break
        page += 1
    assert max(pairs.values(), default=1) == 1, "a notification was recorded twice"
    return counted


def test_notifier_killed_mid_run_records_every_notification_exactly_once(stack, planner, operator, followed_forum):
    run = uuid.uuid4().hex[:6]
    titles = [f"Möte {number} ({run})" for number in range(load(200, 1500))]
    # (kill at, start again at): once in `make test`, five times in `make soak`.
    outages = [(60, 140)] if not soak() else [(start, start + 150) for start in range(100, 1500, 300)]
    kills, starts = {kill for kill, _ in outages}, {start for _, start in outages}
    before = notification_total(operator)

    for number, title in enumerate(titles):
        if number in kills:
            stack.kill("notifier")
        if number in starts:
            stack.start_service("notifier")
            restarted = time.monotonic()
        assert schedule(planner, followed_forum, title).status_code == 201

    wait_until(
        lambda: notification_total(operator),
        lambda total: total >= before + 2 * len(titles),
        timeout=load(90, 600),
    )
    expected = {f"Nytt möte: {title}" for title in titles}
    counted = notifications_by_subject(operator)
    record(
        "kill-notifier-mid-run",
        title="Kill -9 the notifier while meetings are scheduled",
        what=f"notifier killed (SIGKILL) and started again {len(outages)}× during the stream: at writes "
        + ", ".join(f"{kill}→{start}" for kill, start in outages)
        + "; recovered = from the last restart until every owed notification was recorded",
        load=f"{len(titles)} meetings scheduled back to back by one planner; 2 followers of the forum",
        writes_sent=len(titles),
        writes_accepted=len(titles),  # every one was asserted 201 above
        events_expected=2 * len(expected),
        events_delivered=sum(counted[subject] for subject in expected),
        duplicates=sum(max(0, counted[subject] - 2) for subject in expected),
        recovered_s=round(time.monotonic() - restarted, 1),
    )
    assert {subject: counted[subject] for subject in expected} == dict.fromkeys(expected, 2)


def test_broker_restart_loses_no_accepted_meeting_or_notification(stack, planner, operator, followed_forum):
    run = uuid.uuid4().hex[:6]
    accepted, refused = [], Counter()
    before = notification_total(operator)
    writes = load(120, 600)
    # (stop at, start again at): one short outage in `make test`, three longer ones in `make soak`.
    outages = [(30, 45)] if not soak() else [(50, 80), (250, 280), (450, 480)]
    stops, starts = {stop for stop, _ in outages}, {start for _, start in outages}
    recoveries: list[float] = []
    restarted = None

    for number in range(writes):
        if number in stops:
            rabbitmqctl("stop_app")
        if number in starts:
            rabbitmqctl("start_app")
            restarted = time.monotonic()
        title = f"Möte {number} ({run})"
        response = schedule(planner, followed_forum, title)
        if response.status_code == 201:
            accepted.append(title)
            if restarted is not None:
                recoveries.append(time.monotonic() - restarted)
                restarted = None
        else:
            assert response.headers["Content-Type"] == "application/problem+json"
            refused[response.status_code] += 1

    record(
        "restart-rabbitmq",
        title="Stop and start RabbitMQ while meetings are scheduled",
        what=f"`rabbitmqctl stop_app` … `start_app` {len(outages)}× during the stream, at writes "
        + ", ".join(f"{stop}→{start}" for stop, start in outages)
        + "; recovered = from `start_app` to the next accepted write (the longest)",
        load=f"{writes} meetings scheduled back to back by one planner; 2 followers of the forum",
        writes_sent=writes,
        writes_accepted=len(accepted),
        recovered_s=round(max(recoveries), 1) if recoveries else "never",
        **by_status("refused_", refused),
    )
    assert refused, "the broker was away, so some writes must have been refused"
    assert set(refused) <= {503, 504}, refused  # unavailable or timed out; never a 500
    assert len(accepted) >= 60, f"the system did not recover: {len(accepted)} accepted, {refused}"
    stack.wait_ready()
    titles_in_feed = set(feed_titles(planner, followed_forum))
    record("restart-rabbitmq", writes_found=len(set(accepted) & titles_in_feed))
    assert set(accepted) <= titles_in_feed
    # A write that timed out (504) may still have been done; only accepted ones are owed.
    wait_until(
        lambda: notification_total(operator),
        lambda total: total >= before + 2 * len(accepted),
        timeout=load(120, 300),
    )
    expected = {f"Nytt möte: {title}" for title in accepted}
    counted = notifications_by_subject(operator)
    record(
        "restart-rabbitmq",
        events_expected=2 * len(expected),
        events_delivered=sum(counted[subject] for subject in expected),
        duplicates=sum(max(0, counted[subject] - 2) for subject in expected),
    )
    assert {subject: counted[subject] for subject in expected} == dict.fromkeys(expected, 2)
