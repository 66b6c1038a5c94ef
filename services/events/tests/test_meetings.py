from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from nameko.testing.services import worker_factory

from samverkan_common.errors import Conflict, Invalid, NotFound
from samverkan_common.testing import in_memory_uow
from samverkan_events.adapters.repository import EventsUnitOfWork
from samverkan_events.entrypoints.service import EventsService

FORUM = {"slug": "ros-gruppen", "name": "RÖS-gruppen", "owner_committee": "BMR"}
MEETING = {
    "forum_slug": "ros-gruppen",
    "title": "Möte i RÖS-gruppen",
    "starts_at": "2027-03-10T13:00:00",
    "ends_at": "2027-03-10T15:00:00",
    "level": "dialogue",
    "step": "drafting",
}


@pytest.fixture
def service():
    uow = in_memory_uow(EventsUnitOfWork)
    service = worker_factory(EventsService, uow=uow)
    service.create_forum(FORUM)
    return service


def outbox_types(uow):
    return [row.type for row in uow.session.execute(uow.metadata.tables["outbox"].select())]


def test_scheduled_meeting_is_committed_with_its_event(service):
    meeting = service.schedule_meeting(MEETING)

    assert service.get_meeting(meeting["id"])["title"] == "Möte i RÖS-gruppen"
    assert outbox_types(service.uow) == ["forum_created", "meeting_scheduled"]


def test_time_without_offset_is_stockholm_time(service):
    meeting = service.schedule_meeting(MEETING)

    assert meeting["starts_at"] == "2027-03-10T13:00:00+01:00"
    summer = service.schedule_meeting({**MEETING, "starts_at": "2027-06-10T13:00:00", "ends_at": "2027-06-10T14:00:00"})
    assert summer["starts_at"] == "2027-06-10T13:00:00+02:00"


def test_meeting_ending_before_it_starts_is_refused_and_nothing_is_written(service):
    with pytest.raises(Invalid) as refused:
        service.schedule_meeting({**MEETING, "ends_at": "2027-03-10T12:00:00"})

    assert "ends_at" in refused.value.errors
    assert outbox_types(service.uow) == ["forum_created"]


def test_unknown_field_and_wrong_level_are_named(service):
    with pytest.raises(Invalid) as refused:
        service.schedule_meeting({**MEETING, "level": "shouting", "colour": "red"})

    assert set(refused.value.errors) == {"level", "colour"}


def test_meeting_in_unknown_forum_is_not_found(service):
    with pytest.raises(NotFound) as missing:
        service.schedule_meeting({**MEETING, "forum_slug": "no-such-forum"})
    assert missing.value.code == "FORUM_NOT_FOUND"


def test_forum_address_is_unique(service):
    with pytest.raises(Conflict):
        service.create_forum(FORUM)


def test_health_reports_the_database(service):
    assert service.health() == {"name": "events", "version": "0.1.0", "database_reachable": True}


def test_stored_times_are_utc():
    uow = in_memory_uow(EventsUnitOfWork)
    service = worker_factory(EventsService, uow=uow)
    service.create_forum(FORUM)
    meeting = service.schedule_meeting(MEETING)
    stored = uow.meetings.get(meeting["id"])
    assert stored.starts_at == datetime(2027, 3, 10, 12, 0, tzinfo=ZoneInfo("UTC"))
