import uuid
from datetime import UTC, datetime

import pytest
from nameko.testing.services import worker_factory

from samverkan_common.errors import Conflict, Invalid
from samverkan_common.events import envelope
from samverkan_common.testing import in_memory_uow
from samverkan_notifier.adapters.repository import NotifierUnitOfWork
from samverkan_notifier.entrypoints.service import NotifierService


@pytest.fixture
def notifier():
    service = worker_factory(
        NotifierService, uow=in_memory_uow(NotifierUnitOfWork), clock=lambda: datetime(2027, 1, 5, 9, tzinfo=UTC)
    )
    service.subscribe({"forum_slug": "ros-gruppen", "address": "anna@example.org"})
    service.subscribe({"forum_slug": "ros-gruppen", "address": "bo@example.org", "language": "en"})
    service.subscribe({"forum_slug": "ser", "address": "cecilia@example.org"})
    return service


def scheduled(forum_slug="ros-gruppen", title="Vårmöte"):
    return envelope("meeting_scheduled", {"meeting_id": str(uuid.uuid4()), "forum_slug": forum_slug, "title": title})


def test_each_follower_of_the_forum_gets_one_notification_in_their_language(notifier):
    event = scheduled()

    notifier.on_meeting_scheduled(event)

    listed = notifier.list_notifications(event_id=event["event_id"])
    assert listed["total"] == 2
    assert sorted((n["address"], n["subject"]) for n in listed["items"]) == [
        ("anna@example.org", "Nytt möte: Vårmöte"),
        ("bo@example.org", "New meeting: Vårmöte"),
    ]
    assert {n["status"] for n in listed["items"]} == {"queued"}


def test_redelivered_event_has_no_second_effect(notifier):
    event = scheduled()

    notifier.on_meeting_scheduled(event)
    notifier.on_meeting_scheduled(event)

    assert notifier.list_notifications()["total"] == 2


def test_forum_without_followers_yields_nothing(notifier):
    notifier.on_meeting_scheduled(scheduled(forum_slug="pensionarsradet"))
    assert notifier.list_notifications()["total"] == 0


def test_same_address_cannot_follow_a_forum_twice(notifier):
    with pytest.raises(Conflict):
        notifier.subscribe({"forum_slug": "ser", "address": "cecilia@example.org"})


def test_bad_address_is_named(notifier):
    with pytest.raises(Invalid) as refused:
        notifier.subscribe({"forum_slug": "ser", "address": "not an address"})
    assert list(refused.value.errors) == ["address"]
