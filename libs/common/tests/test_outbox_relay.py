"""The outbox relay without a broker: order, parking a poison row, broker outages, pruning, two relays."""

import json
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select

from samverkan_common.db import make_engine, service_metadata
from samverkan_common.metrics import outbox_backlog, outbox_parked
from samverkan_common.outbox import OutboxRelay, main, parked_rows, requeue_parked

metadata = service_metadata()
outbox = metadata.tables["outbox"]
processed_events = metadata.tables["processed_events"]


class RecordingPublisher:
    def __init__(self, refuse=None):
        self.published = []
        self.refuse = refuse or set()
        self.lock = threading.Lock()

    def publish(self, payload, **kwargs):
        if payload["event_id"] in self.refuse:
            raise RuntimeError("broker refused the message")
        with self.lock:
            self.published.append(payload["event_id"])


class BrokerAway:
    def publish(self, payload, **kwargs):
        raise ConnectionRefusedError(111, "Connection refused")


@pytest.fixture
def engine(tmp_path):
    made = make_engine(f"sqlite:///{tmp_path / 'outbox.db'}")
    metadata.create_all(made)
    yield made
    made.dispose()


def add_rows(engine, *event_ids, envelope=None, created_at=None):
    with engine.begin() as connection:
        for event_id in event_ids:
            body = envelope if envelope is not None else json.dumps({"event_id": event_id, "type": "t", "data": {}})
            connection.execute(
                insert(outbox).values(
                    event_id=event_id, type="t", envelope=body, created_at=created_at or datetime.now(UTC)
                )
            )


def relay_for(engine, publisher, **kwargs):
    relay = OutboxRelay(engine, outbox, "memory://", "notes", processed_events=processed_events, **kwargs)
    relay.publisher = publisher
    return relay


def test_a_failing_row_holds_the_rows_after_it_until_it_is_parked_then_they_go_out_in_order(engine):
    add_rows(engine, "e-1")
    add_rows(engine, "poison", envelope="{not json")
    add_rows(engine, "e-2", "e-3")
    publisher = RecordingPublisher()
    relay = relay_for(engine, publisher, max_attempts=3)

    assert relay.relay_batch() == 1
    assert relay.relay_batch() == 0  # second attempt: still nothing overtakes it
    assert publisher.published == ["e-1"]
    assert relay.relay_batch() == 2  # third attempt parks it; the rows after it go out

    assert publisher.published == ["e-1", "e-2", "e-3"]
    [parked] = parked_rows(engine, outbox)
    assert parked["event_id"] == "poison"
    assert parked["attempts"] == 3
    assert parked["last_error"].startswith("JSONDecodeError")
    assert parked["parked_at"] is not None
    assert outbox_parked(engine, outbox) == 1  # the samverkan_outbox_parked gauge
    assert outbox_backlog(engine, outbox)[0] == 0  # a parked row is not backlog
    assert relay.relay_batch() == 0  # a parked row is not tried again


def test_a_broker_refusal_is_counted_against_the_row_and_a_requeued_row_goes_out_again(engine):
    add_rows(engine, "refused", "after")
    publisher = RecordingPublisher(refuse={"refused"})
    relay = relay_for(engine, publisher, max_attempts=1)

    assert relay.relay_batch() == 1
    assert publisher.published == ["after"]
    assert parked_rows(engine, outbox)[0]["last_error"] == "RuntimeError: broker refused the message"

    publisher.refuse.clear()
    assert requeue_parked(engine, outbox, "refused")
    assert not requeue_parked(engine, outbox, "after")  # sent, not parked
    assert relay.relay_batch() == 1
    assert publisher.published == ["after", "refused"]
    assert parked_rows(engine, outbox) == []


def test_a_broker_away_counts_no_attempt_and_parks_nothing(engine):
    add_rows(engine, "e-1", "e-2")
    relay = relay_for(engine, BrokerAway(), max_attempts=1)

    for _ in range(3):
        with pytest.raises(ConnectionRefusedError):
            relay.relay_batch()

    with engine.connect() as connection:
        rows = connection.execute(select(outbox.c.attempts, outbox.c.parked_at, outbox.c.published_at)).all()
    assert rows == [(0, None, None), (0, None, None)]
    relay.publisher = RecordingPublisher()
    assert relay.relay_batch() == 2


def test_pruning_removes_only_sent_rows_and_event_ids_older_than_their_retention(engine):
    now = datetime.now(UTC)
    add_rows(engine, "old-sent", "new-sent", "old-unsent", created_at=now - timedelta(days=40))
    add_rows(engine, "old-parked", envelope="{bad", created_at=now - timedelta(days=40))
    relay = relay_for(
        engine,
        RecordingPublisher(),
        max_attempts=1,
        sent_retention=timedelta(days=7),
        processed_retention=timedelta(days=30),
    )
    with engine.begin() as connection:
        connection.execute(
            outbox.update().where(outbox.c.event_id == "old-sent").values(published_at=now - timedelta(days=8))
        )
        connection.execute(
            outbox.update().where(outbox.c.event_id == "new-sent").values(published_at=now - timedelta(days=6))
        )
        connection.execute(
            outbox.update()
            .where(outbox.c.event_id == "old-parked")
            .values(parked_at=now - timedelta(days=40), attempts=5, last_error="x")
        )
        for event_id, age in [("seen-old", 31), ("seen-new", 29)]:
            connection.execute(
                insert(processed_events).values(event_id=event_id, type="t", processed_at=now - timedelta(days=age))
            )

    assert relay.prune(now) == (1, 1)

    with engine.connect() as connection:
        left = set(connection.execute(select(outbox.c.event_id)).scalars())
        seen = set(connection.execute(select(processed_events.c.event_id)).scalars())
    assert left == {"new-sent", "old-unsent", "old-parked"}
    assert seen == {"seen-new"}


def test_two_relays_in_one_process_on_sqlite_publish_each_row_once_in_order(engine):
    ids = [f"e-{n:04d}" for n in range(300)]
    add_rows(engine, *ids)
    publisher = RecordingPublisher()
    relays = [relay_for(engine, publisher), relay_for(engine, publisher)]

    def drain(relay):
        while relay.relay_batch(limit=7):
            pass

    threads = [threading.Thread(target=drain, args=(relay,)) for relay in relays]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert Counter(publisher.published) == Counter(ids)
    assert publisher.published == ids


def test_operators_list_and_requeue_parked_events_from_the_command_line(engine, capsys):
    add_rows(engine, "poison", envelope="{bad")
    relay_for(engine, RecordingPublisher(), max_attempts=1).relay_batch()
    url = engine.url.render_as_string(hide_password=False)

    assert main(["--url", url, "parked"]) == 0
    [line] = capsys.readouterr().out.splitlines()
    assert json.loads(line)["event_id"] == "poison"
    assert main(["--url", url, "requeue", "poison"]) == 0
    assert main(["--url", url, "requeue", "poison"]) == 1  # no longer parked
    assert parked_rows(engine, outbox) == []
