"""The outbox and the idempotent consumer, over real RabbitMQ and real PostgreSQL."""

from __future__ import annotations

import pytest
from nameko.standalone.events import event_dispatcher
from nameko.testing.services import entrypoint_hook, entrypoint_waiter

from samverkan_common.db import make_engine, session_factory
from samverkan_common.events import envelope
from samverkan_events.adapters.repository import EventsUnitOfWork
from samverkan_events.entrypoints.schemas import ScheduleMeetingSchema
from samverkan_events.entrypoints.service import EventsService
from samverkan_events.service_layer import handlers
from samverkan_notifier.entrypoints.service import NotifierService

pytestmark = pytest.mark.integration

MEETING = {
    "forum_slug": "ser",
    "title": "SER: årsplanering",
    "starts_at": "2027-02-02T10:00:00+01:00",
    "ends_at": "2027-02-02T12:00:00+01:00",
    "level": "dialogue",
}


def subscribe(notifier, *addresses):
    with entrypoint_hook(notifier, "subscribe") as subscribe_:
        for address in addresses:
            subscribe_({"forum_slug": "ser", "address": address})


def notification_total(notifier):
    with entrypoint_hook(notifier, "list_notifications") as list_notifications:
        return list_notifications()["total"]


def test_meeting_scheduled_over_rpc_reaches_the_notifier(start):
    notifier = start(NotifierService, "notifier")
    events = start(EventsService, "events")
    subscribe(notifier, "anna@example.org", "bo@example.org")
    with entrypoint_hook(events, "create_forum") as create_forum:
        create_forum({"slug": "ser", "name": "SER", "owner_committee": "KUN"})

    with (
        entrypoint_waiter(notifier, "on_meeting_scheduled", timeout=15),
        entrypoint_hook(events, "schedule_meeting") as schedule_meeting,
    ):
        schedule_meeting(MEETING)

    assert notification_total(notifier) == 2


def test_event_committed_before_a_crash_is_published_when_the_service_returns(start, databases):
    notifier = start(NotifierService, "notifier")
    subscribe(notifier, "anna@example.org")
    # The state change and its event are committed, then the process "dies" before relaying.
    engine = make_engine(databases["events"])
    uow = EventsUnitOfWork(session_factory(engine)())
    handlers.create_forum(uow, slug="ser", name="SER", owner_committee="KUN")
    handlers.schedule_meeting(uow, **ScheduleMeetingSchema().load(MEETING))
    uow.session.close()
    engine.dispose()

    with entrypoint_waiter(notifier, "on_meeting_scheduled", timeout=15):
        start(EventsService, "events")

    assert notification_total(notifier) == 1


def test_the_same_event_delivered_twice_has_one_effect(start, rabbit_config):
    notifier = start(NotifierService, "notifier")
    subscribe(notifier, "anna@example.org")
    event = envelope("meeting_scheduled", {"forum_slug": "ser", "title": "Dubblett", "meeting_id": "m-1"})
    dispatch = event_dispatcher(rabbit_config)
    handled = []

    def both_handled(worker_ctx, result, exc_info):
        handled.append(worker_ctx)
        return len(handled) == 2

    with entrypoint_waiter(notifier, "on_meeting_scheduled", callback=both_handled, timeout=15):
        dispatch("events", "meeting_scheduled", event)
        dispatch("events", "meeting_scheduled", event)

    assert notification_total(notifier) == 1
