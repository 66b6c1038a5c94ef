"""Two outbox relays on one PostgreSQL database, publishing to real RabbitMQ, as two replicas would.

Each relay has its own engine and connections; psycopg2 is made cooperative (as every service
makes it), so the two relays really interleave at each query and each publish.
"""

from __future__ import annotations

import json
import random
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta

import eventlet
import pytest
from eventlet.event import Event
from kombu import Connection, Exchange, Queue
from psycogreen.eventlet import patch_psycopg
from sqlalchemy import func, insert, select, update

from samverkan_common.db import make_engine
from samverkan_common.events import envelope
from samverkan_common.outbox import OutboxRelay, parked_rows
from samverkan_events.adapters.repository import EventsUnitOfWork
from tests.support.stack import Databases

pytestmark = pytest.mark.integration

SERVICE = "replicas"
outbox = EventsUnitOfWork.metadata.tables["outbox"]
processed_events = EventsUnitOfWork.metadata.tables["processed_events"]


@pytest.fixture
def database_url():
    patch_psycopg()
    made = Databases({"events": "samverkan_events"})
    yield made.urls["events"]
    made.drop()


@pytest.fixture
def queue(rabbit_config):
    """A queue bound to every event of the service's exchange, declared before anything is published."""
    exchange = Exchange(f"{SERVICE}.events", type="topic", durable=True)
    bound = Queue(f"{SERVICE}-all", exchange=exchange, routing_key="#", durable=True)
    with Connection(rabbit_config["AMQP_URI"]) as connection:
        bound(connection.default_channel).declare()
        yield connection, bound


def drain(connection, bound):
    """Every message in the queue, in the order RabbitMQ delivers them."""
    received = []
    channel_queue = bound(connection.default_channel)
    while (message := channel_queue.get(no_ack=True)) is not None:
        received.append(message.payload)
    return received


def relay(url, amqp_uri, **kwargs):
    return OutboxRelay(make_engine(url), outbox, amqp_uri, SERVICE, processed_events=processed_events, **kwargs)


def write_events(url, aggregates=20, per_aggregate=25, poison_after=None):
    """Rows for ``aggregates`` meetings, interleaved as concurrent requests would commit them."""
    order = [meeting for meeting in range(aggregates) for _ in range(per_aggregate)]
    random.Random(16).shuffle(order)
    seq: Counter[int] = Counter()
    rows = []
    for position, meeting in enumerate(order):
        event = envelope("meeting_updated", {"meeting_id": f"m-{meeting}", "seq": seq[meeting]})
        seq[meeting] += 1
        rows.append({"event_id": event["event_id"], "type": event["type"], "envelope": json.dumps(event)})
        if position == poison_after:
            rows.append({"event_id": "poison-0000-0000-0000-000000000000", "type": "meeting_updated",
                         "envelope": "{not json"})  # fmt: skip
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(insert(outbox), [{**row, "created_at": datetime.now(UTC)} for row in rows])
    engine.dispose()
    return [row["event_id"] for row in rows if row["event_id"].startswith("poison") is False]


def run_side_by_side(relays, url):
    """Each relay passes until nothing is left to send; returns how many rows each one published."""
    engine = make_engine(url)
    o = outbox.c

    def waiting():
        with engine.connect() as connection:
            return connection.execute(
                select(func.count()).select_from(outbox).where(o.published_at.is_(None), o.parked_at.is_(None))
            ).scalar_one()

    def loop(each):
        sent = 0
        while waiting():
            sent += each.relay_batch(limit=25)
            eventlet.sleep(0)  # let the other relay take its turn at the lock
        return sent

    threads = [eventlet.spawn(loop, each) for each in relays]
    try:
        return [thread.wait() for thread in threads]
    finally:
        engine.dispose()


def test_two_relays_publish_each_row_once_in_order_per_meeting_and_park_a_poison_row(
    database_url, rabbit_config, queue
):
    expected = write_events(database_url, poison_after=240)
    relays = [relay(database_url, rabbit_config["AMQP_URI"], max_attempts=3) for _ in range(2)]

    sent_by = run_side_by_side(relays, database_url)

    received = drain(*queue)
    counts = Counter(event["event_id"] for event in received)
    assert len(expected) == 500
    assert sum(sent_by) == 500
    assert min(sent_by) > 0, f"both relays led passes in turn: {sent_by}"
    assert counts == Counter(expected), "each row published exactly once"
    by_meeting = defaultdict(list)
    for event in received:
        by_meeting[event["data"]["meeting_id"]].append(event["data"]["seq"])
    assert len(by_meeting) == 20
    assert all(seqs == sorted(seqs) for seqs in by_meeting.values()), "order kept per meeting"
    [parked] = parked_rows(relays[0].engine, outbox)
    assert parked["event_id"].startswith("poison")
    assert parked["attempts"] == 3
    assert "JSONDecodeError" in parked["last_error"]
    for each in relays:
        each.engine.dispose()


def test_while_one_relay_leads_a_pass_the_other_publishes_nothing(database_url, rabbit_config, queue):
    expected = write_events(database_url, aggregates=2, per_aggregate=5)
    leader, other = (relay(database_url, rabbit_config["AMQP_URI"]) for _ in range(2))
    inside, release = Event(), Event()
    publish = leader.publisher.publish

    def held_publish(payload, **kwargs):
        if not inside.ready():
            inside.send(True)
            release.wait()
        publish(payload, **kwargs)

    leader.publisher.publish = held_publish
    leading = eventlet.spawn(leader.relay_batch)
    inside.wait()

    assert other.relay_batch() == 0  # the leader holds the lock: no second publisher
    release.send(True)
    assert leading.wait() == 10
    assert other.relay_batch() == 0  # all sent
    assert [event["event_id"] for event in drain(*queue)] == expected
    for each in (leader, other):
        each.engine.dispose()


def test_pruning_on_postgresql_removes_only_what_is_older_than_the_retention(database_url, rabbit_config, queue):
    write_events(database_url, aggregates=2, per_aggregate=5)
    relay_ = relay(
        database_url,
        rabbit_config["AMQP_URI"],
        sent_retention=timedelta(days=7),
        processed_retention=timedelta(days=30),
    )
    assert relay_.relay_batch() == 10
    now = datetime.now(UTC)
    with relay_.engine.begin() as connection:
        ids = connection.execute(select(outbox.c.id).order_by(outbox.c.id)).scalars().all()
        connection.execute(update(outbox).where(outbox.c.id.in_(ids[:4])).values(published_at=now - timedelta(days=8)))
        connection.execute(
            insert(processed_events),
            [
                {"event_id": f"seen-{age}", "type": "t", "processed_at": now - timedelta(days=age)}
                for age in (1, 29, 31, 90)
            ],
        )

    assert relay_.prune(now) == (4, 2)

    with relay_.engine.connect() as connection:
        left = connection.execute(select(outbox.c.id).order_by(outbox.c.id)).scalars().all()
        seen = set(connection.execute(select(processed_events.c.event_id)).scalars())
    assert left == ids[4:]
    assert seen == {"seen-1", "seen-29"}
    relay_.engine.dispose()
