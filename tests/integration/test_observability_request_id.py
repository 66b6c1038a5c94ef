"""One request id, followed from the caller through RPC, the outbox and an event, over real RabbitMQ and PostgreSQL."""

from __future__ import annotations

import json
import logging

import pytest
from nameko.testing.services import entrypoint_hook, entrypoint_waiter
from prometheus_client import REGISTRY
from sqlalchemy import select

from samverkan_common.db import make_engine
from samverkan_events.adapters.repository import EventsUnitOfWork
from samverkan_events.entrypoints.service import EventsService
from samverkan_notifier.entrypoints.service import NotifierService
from tests.support.waiting import wait_until

pytestmark = pytest.mark.integration

MEETING = {
    "forum_slug": "ser",
    "title": "SER: årsplanering",
    "starts_at": "2027-02-02T10:00:00+01:00",
    "ends_at": "2027-02-02T12:00:00+01:00",
    "level": "dialogue",
}


def handled(caplog, service, method):
    return [
        record
        for record in caplog.records
        if record.name == "samverkan_common.metrics" and record.getMessage().endswith(f"{service}.{method}")
    ]


def test_the_request_id_goes_from_rpc_through_the_outbox_to_the_notifier(start, databases, caplog):
    notifier = start(NotifierService, "notifier")
    events = start(EventsService, "events")
    with entrypoint_hook(events, "create_forum") as create_forum:
        create_forum({"slug": "ser", "name": "SER", "owner_committee": "KUN"})

    with (
        caplog.at_level(logging.INFO, logger="samverkan_common.metrics"),
        entrypoint_waiter(notifier, "on_meeting_scheduled", timeout=15),
        entrypoint_hook(events, "schedule_meeting", context_data={"request_id": "req-int-1"}) as schedule_meeting,
    ):
        schedule_meeting(MEETING)
        seen = wait_until(lambda: handled(caplog, "notifier", "on_meeting_scheduled"), bool, timeout=15)

    assert [record.request_id for record in seen] == ["req-int-1"]
    assert [record.request_id for record in handled(caplog, "events", "schedule_meeting")] == ["req-int-1"]
    outbox = EventsUnitOfWork.metadata.tables["outbox"]
    engine = make_engine(databases["events"])
    with engine.connect() as connection:
        stored = [json.loads(row.envelope) for row in connection.execute(select(outbox.c.envelope))]
    engine.dispose()
    assert [envelope.get("request_id") for envelope in stored if envelope["type"] == "meeting_scheduled"] == [
        "req-int-1"
    ]


def test_metrics_show_worker_latency_outbox_backlog_and_queue_depth(start):
    events = start(EventsService, "events")
    start(NotifierService, "notifier")
    labels = {"service": "events", "kind": "rpc", "method": "create_forum", "outcome": "ok"}
    before = REGISTRY.get_sample_value("samverkan_worker_duration_seconds_count", labels) or 0

    with entrypoint_hook(events, "create_forum") as create_forum:
        create_forum({"slug": "ser", "name": "SER", "owner_committee": "KUN"})

    wait_until(
        lambda: REGISTRY.get_sample_value("samverkan_worker_duration_seconds_count", labels), lambda n: n == before + 1
    )
    # forum_created went through the outbox: the backlog empties once the relay has published it.
    wait_until(lambda: REGISTRY.get_sample_value("samverkan_outbox_backlog", {"service": "events"}), lambda n: n == 0)
    assert REGISTRY.get_sample_value("samverkan_outbox_oldest_age_seconds", {"service": "events"}) == 0
    assert REGISTRY.get_sample_value("samverkan_queue_messages", {"service": "events", "queue": "rpc-events"}) == 0
    queue = "evt-events-meeting_scheduled--notifier.on_meeting_scheduled"
    assert REGISTRY.get_sample_value("samverkan_queue_messages", {"service": "notifier", "queue": queue}) == 0
