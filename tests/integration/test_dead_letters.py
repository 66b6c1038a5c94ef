"""samverkan_common.retrying over real RabbitMQ: bounded retries, the dead-letter queue, replay, outages.

A small service of the test's own stands in for a real one, so each rule is seen at once and
with short waits; tests/reliability/test_poison_message.py shows the same on the real notifier.
"""

from __future__ import annotations

import time
import uuid

import pytest
from nameko.standalone.events import event_dispatcher
from sqlalchemy.exc import OperationalError

from samverkan_common.deadletters import DeadLetterQueue
from samverkan_common.retrying import event_handler
from tests.support.waiting import wait_until

pytestmark = pytest.mark.integration

POLICY = {"ATTEMPTS": 3, "DELAY_SECONDS": 0.05, "MAX_DELAY_SECONDS": 0.2}


class Picky:
    """Handles ``source.happened`` unless its data is not an object; ``source.stored`` needs a database."""

    name = "picky"
    handled: list[str] = []
    tries: dict[str, int] = {}
    database_back_after = 0

    @event_handler("source", "happened")
    def on_happened(self, event):
        Picky.tries[event["event_id"]] = Picky.tries.get(event["event_id"], 0) + 1
        event["data"].get("title")  # AttributeError when data is not an object
        Picky.handled.append(event["event_id"])

    @event_handler("source", "stored")
    def on_stored(self, event):
        Picky.tries[event["event_id"]] = Picky.tries.get(event["event_id"], 0) + 1
        if Picky.tries[event["event_id"]] <= Picky.database_back_after:
            raise OperationalError("SELECT 1", {}, ConnectionRefusedError("connection refused"))
        Picky.handled.append(event["event_id"])


@pytest.fixture
def picky(container_factory, rabbit_config):
    Picky.handled, Picky.tries = [], {}
    container = container_factory(Picky, {**rabbit_config, "EVENT_RETRY": POLICY})
    container.start()
    return rabbit_config


def dispatch(config, event_type, data):
    event_id = str(uuid.uuid4())
    event_dispatcher(config)("source", event_type, {"event_id": event_id, "type": event_type, "data": data})
    return event_id


def test_poison_is_dead_lettered_after_the_attempts_while_good_events_pass_then_replayed_and_discarded(picky):
    queue = DeadLetterQueue(picky["AMQP_URI"])
    poison = dispatch(picky, "happened", "kaputt")
    good = [dispatch(picky, "happened", {"title": f"Möte {n}"}) for n in range(5)]

    wait_until(lambda: list(Picky.handled), lambda handled: set(good) <= set(handled), timeout=30)
    letters, queued = wait_until(queue.list, lambda found: found[1] == 1, timeout=30)

    [letter] = letters
    assert (letter.service, letter.handler, letter.source_service, letter.event_type) == (
        "picky",
        "on_happened",
        "source",
        "happened",
    )
    assert (letter.event_id, letter.attempts, letter.error_type) == (poison, 3, "AttributeError")
    assert "get" in letter.error
    assert Picky.tries[poison] == 3
    # Listing does not consume: a second look finds the same.
    assert queue.list()[0] == letters

    replayed = queue.replay(letter.id)
    assert replayed.id == letter.id
    again = wait_until(queue.list, lambda found: found[1] == 1 and found[0][0].id != letter.id, timeout=30)[0][0]
    assert (again.event_id, again.attempts, again.replays) == (poison, 3, 1)
    assert Picky.tries[poison] == 6

    queue.discard(again.id)
    assert queue.list() == ([], 0)
    assert Picky.handled.count(poison) == 0


def test_a_database_away_is_tried_past_the_attempts_and_handled_when_it_returns(picky):
    Picky.database_back_after = 3 * POLICY["ATTEMPTS"]
    started = time.monotonic()
    stored = dispatch(picky, "stored", {"title": "Möte"})

    wait_until(lambda: list(Picky.handled), lambda handled: stored in handled, timeout=60)

    assert Picky.tries[stored] == 3 * POLICY["ATTEMPTS"] + 1
    # Each try after a wait (0.05, 0.1, then 0.2 s each): no spinning while the database is away.
    assert time.monotonic() - started >= 0.05 + 0.1 + 0.2 * (3 * POLICY["ATTEMPTS"] - 2)
    assert DeadLetterQueue(picky["AMQP_URI"]).list() == ([], 0)
