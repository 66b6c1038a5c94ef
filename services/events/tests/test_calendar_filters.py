"""The calendar's filters narrow meetings_between in the service's own query.

Forum, level, municipality, and in person or online.
"""

import pytest
from nameko.testing.services import worker_factory

from samverkan_common.errors import Invalid
from samverkan_common.testing import in_memory_uow
from samverkan_events.adapters.ical import FeedCache
from samverkan_events.adapters.repository import EventsUnitOfWork
from samverkan_events.entrypoints.service import EventsService

BASE = {"starts_at": "2027-03-10T13:00:00", "ends_at": "2027-03-10T15:00:00", "level": "dialogue"}


@pytest.fixture
def service():
    service = worker_factory(EventsService, uow=in_memory_uow(EventsUnitOfWork), feed_cache=FeedCache())
    service.create_forum({"slug": "ros-gruppen", "name": "RÖS-gruppen", "owner_committee": "BMR"})
    service.create_forum({"slug": "ser", "name": "SER", "owner_committee": "KUN"})
    service.schedule_meeting(
        {
            **BASE,
            "forum_slug": "ros-gruppen",
            "title": "I Göteborg",
            "location": "Regionens hus",
            "municipality_code": "1480",
        }
    )
    service.schedule_meeting(
        {**BASE, "forum_slug": "ros-gruppen", "title": "Digitalt", "online_url": "https://meet.example.org/a"}
    )
    service.schedule_meeting(
        {
            **BASE,
            "forum_slug": "ser",
            "title": "Hybrid i Skövde",
            "level": "partnership",
            "location": "Stadshuset",
            "online_url": "https://meet.example.org/b",
            "municipality_code": "1496",
            "rrule": "FREQ=WEEKLY;COUNT=2",
        }
    )
    return service


def titles(found):
    return sorted({item["title"] for item in found})


def test_without_a_filter_every_meeting_is_listed(service):
    assert titles(service.meetings_between("2027-03-01", "2027-03-31")) == ["Digitalt", "Hybrid i Skövde", "I Göteborg"]


def test_each_filter_narrows_the_meetings(service):
    def between(where):
        return titles(service.meetings_between("2027-03-01", "2027-03-31", where))

    assert between({"forum_slugs": ["ser"]}) == ["Hybrid i Skövde"]
    assert between({"forum_slugs": ["ser", "ros-gruppen"]}) == ["Digitalt", "Hybrid i Skövde", "I Göteborg"]
    assert between({"level": "partnership"}) == ["Hybrid i Skövde"]
    assert between({"municipality_code": "1480"}) == ["I Göteborg"]
    assert between({"mode": "online"}) == ["Digitalt", "Hybrid i Skövde"]
    assert between({"mode": "in_person"}) == ["Hybrid i Skövde", "I Göteborg"]
    assert between({"forum_slugs": ["ros-gruppen"], "mode": "in_person"}) == ["I Göteborg"]
    assert between({"forum_slugs": ["no-such-forum"]}) == []


def test_occurrences_tell_where_and_how_people_take_part(service):
    found = service.meetings_between("2027-03-01", "2027-03-31", {"municipality_code": "1496"})

    assert [(m["location"], m["municipality_code"], m["online"]) for m in found] == [("Stadshuset", "1496", True)] * 2
    assert service.get_meeting(found[0]["meeting_id"])["municipality_code"] == "1496"


@pytest.mark.parametrize(
    ("where", "field"),
    [
        ({"level": "veto"}, "level"),
        ({"mode": "telepathy"}, "mode"),
        ({"municipality_code": "Borås"}, "municipality_code"),
    ],
)
def test_a_filter_outside_its_choices_is_refused_naming_the_field(service, where, field):
    with pytest.raises(Invalid) as refused:
        service.meetings_between("2027-03-01", "2027-03-31", where)
    assert field in refused.value.errors
