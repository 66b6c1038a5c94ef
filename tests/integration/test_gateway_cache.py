"""The gateway's event-emptied cache against a real broker."""

from __future__ import annotations

import pytest
from nameko.standalone.events import event_dispatcher

from samverkan_common.events import envelope
from samverkan_gateway.cache import EventCache
from tests.support.stack import free_port
from tests.support.waiting import wait_until

pytestmark = pytest.mark.integration


def forum_tags(event):
    return {f"feed:forum:{event['data']['forum_slug']}"}


class Loads:
    def __init__(self):
        self.count = 0

    def __call__(self):
        self.count += 1
        return f"feed version {self.count}"


@pytest.fixture
def cache(rabbit_config):
    made = EventCache(rabbit_config["AMQP_URI"].replace("pyamqp://", "amqp://", 1), ["events.events"], forum_tags)
    made.start()
    assert made.wait_until_listening(10)
    yield made
    made.stop()


def test_second_read_comes_from_memory(cache):
    load = Loads()

    cache.get_or_load("feed:ser", {"feed:forum:ser"}, load)
    again = cache.get_or_load("feed:ser", {"feed:forum:ser"}, load)

    assert (again, load.count) == ("feed version 1", 1)


def test_an_event_about_the_forum_empties_its_entries_and_no_others(cache, rabbit_config):
    ser, ros = Loads(), Loads()
    cache.get_or_load("feed:ser", {"feed:forum:ser"}, ser)
    cache.get_or_load("feed:ros", {"feed:forum:ros-gruppen"}, ros)

    event_dispatcher(rabbit_config)("events", "meeting_updated", envelope("meeting_updated", {"forum_slug": "ser"}))

    wait_until(lambda: cache.get_or_load("feed:ser", {"feed:forum:ser"}, ser), lambda value: value == "feed version 2")
    assert cache.get_or_load("feed:ros", {"feed:forum:ros-gruppen"}, ros) == "feed version 1"


def test_without_a_listener_nothing_is_cached():
    cache = EventCache(f"amqp://guest:guest@127.0.0.1:{free_port()}/", ["events.events"], forum_tags)
    cache.start()
    load = Loads()

    cache.get_or_load("feed:ser", {"feed:forum:ser"}, load)
    cache.get_or_load("feed:ser", {"feed:forum:ser"}, load)

    assert load.count == 2
    cache.stop()


def test_a_load_that_raced_an_event_is_not_kept(cache):
    racing = Loads()

    def load_while_an_event_arrives():
        value = racing()
        cache.evict({"feed:forum:ser"})  # the event lands while this load is on its way
        return value

    cache.get_or_load("feed:ser", {"feed:forum:ser"}, load_while_an_event_arrives)
    assert cache.get_or_load("feed:ser", {"feed:forum:ser"}, racing) == "feed version 2"


def test_meeting_and_organisation_events_name_what_they_make_stale():
    from samverkan_gateway.cache import tags_of_event

    assert tags_of_event(envelope("meeting_cancelled", {"meeting_id": "m1", "forum_slug": "ser"})) == {
        "feeds",
        "meeting:m1",
    }
    assert tags_of_event(envelope("organisation_updated", {"organisation_id": "o1"})) == {
        "organisation:o1",
        "organisations",
    }
    assert "feeds" in tags_of_event(envelope("membership_changed", {"organisation_id": "o1", "forum_slug": "ser"}))
