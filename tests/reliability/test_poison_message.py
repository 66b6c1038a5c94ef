"""A poison message is given up on after a bounded number of attempts; a database away is waited out.

Against the real stack: the notifier's real handler for ``meeting_scheduled`` fails on an event
whose ``data`` is not an object (it reads ``data.get(...)``), as it would on a malformed event
from a buggy or older publisher. Nothing in the production code knows about this test.

The database-away test does not restart PostgreSQL (other sessions share it): it stops the
notifier's own throw-away database from accepting connections, and lets it accept them again.
"""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from kombu import Connection, Exchange
from sqlalchemy import create_engine, text

from tests.support.reliability_report import record
from tests.support.stack import Stack
from tests.support.waiting import wait_until

pytestmark = pytest.mark.reliability

FOLLOWERS = ("anna@example.org", "bo@example.org")
ATTEMPTS = 5  # EVENT_RETRY_ATTEMPTS, the default
HANDLER = ("notifier", "on_meeting_scheduled")
# The longest wait (default 30 s) made short, so that the test sees many waits for a database.
MAX_DELAY = 2.0
SETTINGS = (
    f"EVENT_RETRY_ATTEMPTS={ATTEMPTS}, EVENT_RETRY_DELAY_SECONDS=0.5, EVENT_RETRY_MAX_DELAY_SECONDS={MAX_DELAY:g}"
)


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    running = Stack.start(tmp_path_factory.mktemp("logs"), EVENT_RETRY_MAX_DELAY_SECONDS=str(MAX_DELAY))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def followed_forum(planner, organisation):
    slug = f"forum-{uuid.uuid4().hex[:8]}"
    created = planner.post("/api/v1/forums", json={"slug": slug, "name": "Testforum", "owner_committee": "BMR"})
    assert created.status_code == 201
    for address in FOLLOWERS:
        followed = organisation.post("/api/v1/subscriptions", json={"forum_slug": slug, "address": address})
        assert followed.status_code == 201
    return slug


def schedule(planner, slug, title):
    response = planner.post(
        "/api/v1/meetings",
        json={
            "forum_slug": slug,
            "title": title,
            "level": "information",
            "starts_at": "2027-09-01T10:00:00",
            "ends_at": "2027-09-01T11:00:00",
        },
    )
    assert response.status_code == 201
    return response.json()


def publish_event(stack, event_type, data):
    """An event on the events service's exchange, as its outbox relay publishes one."""
    event_id = str(uuid.uuid4())
    envelope = {
        "event_id": event_id,
        "type": event_type,
        "occurred_at": datetime.now(UTC).isoformat(),
        "version": 1,
        "data": data,
    }
    exchange = Exchange("events.events", type="topic", durable=True)
    with Connection(stack.vhost.amqp_uri, transport_options={"confirm_publish": True}) as connection:
        connection.Producer().publish(
            json.dumps(envelope),
            exchange=exchange,
            routing_key=event_type,
            content_type="application/json",
            content_encoding="utf-8",
            delivery_mode=2,
            declare=[exchange],
        )
    return event_id


def dead_letters(operator, **query):
    response = operator.get("/api/v1/dead-letters", params={"per_page": 100, **query})
    assert response.status_code == 200, response.text
    return response.json()["items"]


def dead_letter_of(operator, event_id):
    found = [item for item in dead_letters(operator) if item["event_id"] == event_id]
    return found[0] if found else None


def recorded_subjects(operator, titles):
    """How many notifications the notifier recorded for each of ``titles``."""
    wanted = {f"Nytt möte: {title}": title for title in titles}
    counts = dict.fromkeys(titles, 0)
    page = 1
    while True:
        response = operator.get("/api/v1/notifications", params={"page": page, "per_page": 100})
        if response.status_code != 200:
            return counts
        body = response.json()
        for item in body["items"]:
            if item["subject"] in wanted:
                counts[wanted[item["subject"]]] += 1
        if page * 100 >= body["total"]:
            return counts
        page += 1


def retry_log(stack, since=0):
    """The retry mechanism's log lines in the notifier's log (one JSON object a line), from byte ``since``."""
    with Path(stack.log_dir, "notifier.log").open("rb") as log:
        log.seek(since)
        raw_lines = log.read().decode("utf-8", errors="replace").splitlines()
    entries = []
    for raw in raw_lines:
        if raw.startswith("{") and "samverkan_common.retrying" in raw:
            entry = json.loads(raw)
            if entry.get("logger") == "samverkan_common.retrying":
                entries.append(entry)
    return entries


def handler_log(stack, event_id):
    """What the retry mechanism logged about one event."""
    return [entry for entry in retry_log(stack) if entry.get("event_id") == event_id]


def test_a_poison_event_is_dead_lettered_after_bounded_attempts_and_the_queue_moves_on(
    stack, planner, operator, followed_forum
):
    run = uuid.uuid4().hex[:6]
    poisoned_at = time.monotonic()
    poison = publish_event(stack, "meeting_scheduled", "kaputt")
    titles = [f"Efter giftet {number} ({run})" for number in range(5)]
    for title in titles:
        schedule(planner, followed_forum, title)

    # The good events behind it are handled while the poison is still being retried.
    handled = wait_until(
        lambda: recorded_subjects(operator, titles),
        lambda counts: all(count == len(FOLLOWERS) for count in counts.values()),
        timeout=60,
    )
    good_handled_s = time.monotonic() - poisoned_at
    assert dead_letter_of(operator, poison) is None, "the good events should not have waited for the poison"

    letter = wait_until(lambda: dead_letter_of(operator, poison), lambda found: found is not None, timeout=90)
    dead_lettered_s = time.monotonic() - poisoned_at

    assert (letter["service"], letter["handler"]) == HANDLER
    assert (letter["source_service"], letter["event_type"]) == ("events", "meeting_scheduled")
    assert letter["attempts"] == ATTEMPTS
    assert letter["error_type"] == "AttributeError"
    assert "get" in letter["error"]
    assert letter["queue"] == "evt-events-meeting_scheduled--notifier.on_meeting_scheduled"
    # Tried exactly ATTEMPTS times, with waits between: no spinning.
    actions = [entry["action"] for entry in handler_log(stack, poison)]
    assert actions == ["retry"] * (ATTEMPTS - 1) + ["dead_letter"]
    assert dead_lettered_s >= sum(min(MAX_DELAY, 0.5 * 2**n) for n in range(ATTEMPTS - 1))  # 0.5+1+2+2 s

    # Only operators see it.
    planner_sees = planner.get("/api/v1/dead-letters")
    assert planner_sees.status_code == 403
    assert planner_sees.headers["Content-Type"] == "application/problem+json"

    # Replayed, it goes back to the handler, fails again on the same data, and comes back counted.
    replayed = operator.post(f"/api/v1/dead-letters/{letter['id']}/replay")
    assert replayed.status_code == 200
    assert dead_letter_of(operator, poison) is None
    again = wait_until(lambda: dead_letter_of(operator, poison), lambda found: found is not None, timeout=90)
    assert (again["replays"], again["attempts"]) == (1, ATTEMPTS)
    assert len(handler_log(stack, poison)) == 2 * ATTEMPTS

    # Discarded, it is gone for good; and the handler still takes good events.
    assert operator.session.delete(f"{operator.base}/api/v1/dead-letters/{again['id']}", timeout=30).status_code == 204
    assert dead_letter_of(operator, poison) is None
    gone = operator.post(f"/api/v1/dead-letters/{again['id']}/replay")
    assert (gone.status_code, gone.headers["Content-Type"]) == (404, "application/problem+json")
    last = f"Efter kasseringen ({run})"
    schedule(planner, followed_forum, last)
    wait_until(lambda: recorded_subjects(operator, [last])[last], lambda count: count == len(FOLLOWERS), timeout=60)

    record(
        "poison-message",
        title="A poison event: the notifier's handler fails on it every time",
        what="a meeting_scheduled event whose data is not an object, published to events.events, "
        "then 5 meetings scheduled through the gateway; the poison replayed once and discarded",
        load=SETTINGS,
        attempts_before_dead_letter=letter["attempts"],
        good_events_after=len(titles),
        good_notifications_recorded=sum(handled.values()),
        good_handled_s=round(good_handled_s, 1),
        time_to_dead_letter_s=round(dead_lettered_s, 1),
    )


def test_a_database_away_is_waited_out_and_never_dead_lettered(stack, planner, operator, followed_forum):
    database = stack.databases.urls["notifier"].rsplit("/", 1)[1]
    server = create_engine(
        stack.databases.urls["notifier"].rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT"
    )
    title = f"Medan databasen är borta ({uuid.uuid4().hex[:6]})"
    log_size = Path(stack.log_dir, "notifier.log").stat().st_size
    try:
        with server.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false'))
            connection.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"),
                {"name": database},
            )
        away_at = time.monotonic()
        schedule(planner, followed_forum, title)

        def waits():
            return [
                entry
                for entry in retry_log(stack, since=log_size)
                if entry.get("action") == "wait" and entry.get("event_type") == "meeting_scheduled"
            ]

        # Far more tries than ATTEMPTS, each after a wait: none of them counts towards the dead-letter queue.
        seen = wait_until(waits, lambda entries: len(entries) >= 2 * ATTEMPTS, timeout=120)
        outage_s = time.monotonic() - away_at
        event_ids = {entry["event_id"] for entry in seen}
        assert len(event_ids) == 1
        assert all(entry["error_type"] == "OperationalError" for entry in seen)
        assert all(entry["attempts"] == 0 for entry in seen), "waiting for a database is not a failed attempt"
        assert max(entry["delay_s"] for entry in seen) == MAX_DELAY
        assert dead_letters(operator, service="notifier") == []
    finally:
        with server.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true'))
        server.dispose()
    back_at = time.monotonic()

    # The database back, the event is handled: both followers hear of the meeting, once.
    counts = wait_until(
        lambda: recorded_subjects(operator, [title]), lambda found: found[title] == len(FOLLOWERS), timeout=60
    )
    assert dead_letters(operator, service="notifier") == []
    record(
        "database-away-for-a-handler",
        title="The notifier's database refuses connections while an event waits",
        what="the notifier's own database set to ALLOW_CONNECTIONS false and its sessions ended "
        "(PostgreSQL itself keeps running), one meeting scheduled, then connections allowed again",
        load=SETTINGS,
        waits_before_back=len(seen),
        dead_lettered=0,
        outage_s=round(outage_s, 1),
        recovered_s=round(time.monotonic() - back_at, 1),
        events_expected=len(FOLLOWERS),
        events_delivered=counts[title],
    )
