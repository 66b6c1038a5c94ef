import json
import logging
import sys
import urllib.request
from datetime import UTC, datetime, timedelta

from prometheus_client import REGISTRY
from sqlalchemy import insert, update
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from samverkan_common.db import UnitOfWork, make_engine, service_metadata
from samverkan_common.logs import JsonFormatter, request_context, valid_request_id
from samverkan_common.metrics import count_deliveries, outbox_backlog, serve_metrics
from samverkan_common.outbox import OutboxRelay
from samverkan_common.testing import in_memory_uow
from tests.support.stack import free_port

metadata = service_metadata()


class PlainUnitOfWork(UnitOfWork):
    metadata = metadata


def record(message="hello %s", args=("world",), **extra):
    made = logging.LogRecord("samverkan.test", logging.INFO, __file__, 1, message, args, None)
    made.__dict__.update(extra)
    return made


def test_a_log_line_is_one_json_object_with_the_request_id_of_its_context():
    formatter = JsonFormatter(service="events")

    with request_context("req-123"):
        line = formatter.format(record(duration_ms=2.5))

    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "hello world"
    assert entry["service"] == "events"
    assert entry["logger"] == "samverkan.test"
    assert entry["level"] == "INFO"
    assert entry["request_id"] == "req-123"
    assert entry["duration_ms"] == 2.5
    assert datetime.fromisoformat(entry["timestamp"]).tzinfo is not None


def test_outside_a_request_the_request_id_is_null():
    assert json.loads(JsonFormatter(service="events").format(record()))["request_id"] is None


def test_an_exception_stays_inside_its_one_json_line():
    try:
        raise ValueError("boom\nsecond line")
    except ValueError:
        made = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())

    line = JsonFormatter().format(made)

    assert "\n" not in line
    assert "ValueError: boom" in json.loads(line)["exception"]


def test_request_ids_that_could_forge_a_line_or_a_header_are_refused():
    assert valid_request_id("3f2a-req.1:x_y") == "3f2a-req.1:x_y"
    for bad in ["", "a\nb", "a b", "x" * 129, "<script>", "-starts-with-dash", None, 42]:
        assert valid_request_id(bad) is None


def test_an_event_emitted_during_a_request_carries_its_request_id():
    uow = in_memory_uow(PlainUnitOfWork)
    with request_context("req-456"):
        inside = uow.emit("note_written", {"text": "hej"})
    outside = uow.emit("note_written", {"text": "hå"})

    assert inside["request_id"] == "req-456"
    assert "request_id" not in outside


class RecordingPublisher:
    def __init__(self):
        self.published = []

    def publish(self, payload, **kwargs):
        self.published.append((payload, kwargs))


def test_the_relay_sends_the_request_id_as_nameko_context_header():
    engine = make_engine("sqlite://", poolclass=StaticPool)
    metadata.create_all(engine)
    uow = PlainUnitOfWork(Session(engine))
    with request_context("req-789"):
        uow.emit("note_written", {"text": "hej"})
    uow.emit("note_written", {"text": "hå"})
    uow.commit()
    relay = OutboxRelay(engine, metadata.tables["outbox"], "memory://", "notes")
    relay.publisher = RecordingPublisher()

    assert relay.relay_batch() == 2

    [(first, with_id), (_second, without)] = relay.publisher.published
    assert first["request_id"] == "req-789"
    assert with_id["headers"] == {"nameko.request_id": "req-789"}
    assert without["headers"] == {}


def test_outbox_backlog_counts_unpublished_events_and_finds_the_oldest():
    engine = make_engine("sqlite://", poolclass=StaticPool)
    metadata.create_all(engine)
    outbox = metadata.tables["outbox"]
    old = datetime.now(UTC) - timedelta(minutes=5)
    with engine.begin() as connection:
        for number, created in enumerate([old, datetime.now(UTC), datetime.now(UTC)]):
            connection.execute(
                insert(outbox).values(event_id=f"e-{number}", type="t", envelope="{}", created_at=created)
            )
        connection.execute(update(outbox).where(outbox.c.event_id == "e-2").values(published_at=datetime.now(UTC)))

    count, oldest = outbox_backlog(engine, outbox)

    assert count == 2
    assert abs((oldest - old).total_seconds()) < 1


def test_metrics_are_served_over_http_under_eventlet():
    # The root conftest has monkey patched, as `nameko run` does: the server thread is green.
    port = free_port()
    serve_metrics(port, "127.0.0.1")

    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        body = response.read().decode()

    assert "samverkan_worker_duration_seconds" in body
    assert "samverkan_notifications_total" in body
    assert "samverkan_outbox_backlog" in body


def test_deliveries_are_counted_as_sent_or_failed():
    def value(outcome):
        return REGISTRY.get_sample_value("samverkan_notifications_total", {"outcome": outcome}) or 0

    sent, failed = value("sent"), value("failed")
    outcomes = {"n-1": None, "n-2": "550 mailbox unavailable", "n-3": None}

    assert count_deliveries(outcomes) is outcomes
    assert (value("sent"), value("failed")) == (sent + 2, failed + 1)
