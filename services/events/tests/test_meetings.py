import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from nameko.testing.services import worker_factory

from samverkan_common.errors import Conflict, Invalid, NotFound
from samverkan_common.testing import in_memory_uow
from samverkan_events.adapters.ical import FeedCache
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
    service = worker_factory(EventsService, uow=uow, feed_cache=FeedCache())
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
    service = worker_factory(EventsService, uow=uow, feed_cache=FeedCache())
    service.create_forum(FORUM)
    meeting = service.schedule_meeting(MEETING)
    stored = uow.meetings.get(meeting["id"])
    assert stored.starts_at == datetime(2027, 3, 10, 12, 0, tzinfo=ZoneInfo("UTC"))


# Changes, cancellation, the events they publish, and the forums' schedule rules.

from .conftest import outbox  # noqa: E402

CONTRACT = {
    "meeting_id", "forum_id", "forum_slug", "forum_name", "title", "description", "starts_at", "ends_at",
    "timezone", "location", "online_url", "level", "step", "status", "sequence", "changes", "occurrence_start",
}  # fmt: skip


def test_meeting_scheduled_event_follows_the_contract_in_stockholm_time(service):
    service.schedule_meeting(MEETING)

    [scheduled] = outbox(service.uow, "meeting_scheduled")

    assert set(scheduled["data"]) >= CONTRACT
    assert scheduled["data"]["starts_at"] == "2027-03-10T13:00:00+01:00"
    assert scheduled["data"]["forum_name"] == "RÖS-gruppen"
    assert scheduled["data"]["occurrence_start"] is None


def test_change_of_time_raises_sequence_and_names_the_changed_fields(service):
    meeting = service.schedule_meeting(MEETING)

    changed = service.update_meeting(
        meeting["id"], {"version": 1, "starts_at": "2027-03-10T14:00:00", "ends_at": "2027-03-10T16:00:00"}
    )

    assert (changed["sequence"], changed["version"]) == (1, 2)
    [updated] = outbox(service.uow, "meeting_updated")
    assert updated["data"]["changes"] == ["ends_at", "starts_at"]
    assert updated["data"]["sequence"] == 1
    assert updated["data"]["starts_at"] == "2027-03-10T14:00:00+01:00"


def test_change_an_attendee_need_not_hear_about_keeps_the_sequence(service):
    meeting = service.schedule_meeting(MEETING)

    changed = service.update_meeting(meeting["id"], {"version": 1, "description": "Dagordning bifogad", "capacity": 30})

    assert (changed["sequence"], changed["version"]) == (0, 2)


def test_change_against_an_old_version_is_refused_and_nothing_is_written(service):
    meeting = service.schedule_meeting(MEETING)
    service.update_meeting(meeting["id"], {"version": 1, "location": "Vänersborg"})

    with pytest.raises(Conflict) as refused:
        service.update_meeting(meeting["id"], {"version": 1, "location": "Skövde"})

    assert refused.value.code == "MEETING_CHANGED"
    assert service.get_meeting(meeting["id"])["location"] == "Vänersborg"
    assert len(outbox(service.uow, "meeting_updated")) == 1


def test_cancelling_raises_sequence_and_publishes_meeting_cancelled(service):
    meeting = service.schedule_meeting(MEETING)

    cancelled = service.cancel_meeting(meeting["id"], {"version": 1})

    assert (cancelled["status"], cancelled["sequence"]) == ("cancelled", 1)
    [event] = outbox(service.uow, "meeting_cancelled")
    assert event["data"]["status"] == "cancelled"
    assert event["data"]["sequence"] == 1
    with pytest.raises(Invalid):
        service.update_meeting(meeting["id"], {"version": 2, "title": "Tillbaka"})


def test_cancelling_twice_changes_nothing_the_second_time(service):
    meeting = service.schedule_meeting(MEETING)
    service.cancel_meeting(meeting["id"])

    again = service.cancel_meeting(meeting["id"])

    assert again["sequence"] == 1
    assert len(outbox(service.uow, "meeting_cancelled")) == 1


def test_recurring_meeting_needs_an_end(service):
    with pytest.raises(Invalid) as refused:
        service.schedule_meeting({**MEETING, "rrule": "FREQ=WEEKLY"})

    assert "rrule" in refused.value.errors


def test_one_occurrence_moved_publishes_meeting_updated_with_that_occurrence(service):
    meeting = service.schedule_meeting({**MEETING, "rrule": "FREQ=WEEKLY;COUNT=4"})

    service.change_occurrence(
        meeting["id"], {"occurrence_start": "2027-03-17T13:00:00", "starts_at": "2027-03-18T13:00:00"}
    )

    [updated] = outbox(service.uow, "meeting_updated")
    assert updated["data"]["occurrence_start"] == "2027-03-17T13:00:00+01:00"
    assert updated["data"]["starts_at"] == "2027-03-18T13:00:00+01:00"
    with pytest.raises(Invalid) as refused:
        service.change_occurrence(meeting["id"], {"occurrence_start": "2027-03-16T13:00:00", "cancelled": True})
    assert refused.value.code == "NO_SUCH_OCCURRENCE"


def test_meetings_between_lists_each_occurrence_and_cancelled_ones(service):
    weekly = service.schedule_meeting({**MEETING, "rrule": "FREQ=WEEKLY;COUNT=3"})
    single = service.schedule_meeting({**MEETING, "starts_at": "2027-03-12T09:00:00", "ends_at": "2027-03-12T10:00:00"})
    service.cancel_meeting(single["id"])
    service.change_occurrence(weekly["id"], {"occurrence_start": "2027-03-17T13:00:00", "cancelled": True})

    found = service.meetings_between("2027-03-10", "2027-03-24")

    assert [(m["starts_at"], m["status"]) for m in found] == [
        ("2027-03-10T13:00:00+01:00", "planned"),
        ("2027-03-12T09:00:00+01:00", "cancelled"),
        ("2027-03-17T13:00:00+01:00", "cancelled"),
        ("2027-03-24T13:00:00+01:00", "planned"),
    ]
    assert set(found[0]) >= {"meeting_id", "forum_slug", "title", "starts_at", "level", "step", "status"}
    assert service.meetings_between("2027-03-11", "2027-03-11") == []


def test_list_forums_gives_each_forum_with_its_schedule_rule(service):
    service.create_forum({"slug": "stormote", "name": "Stormöte", "owner_committee": "RÖS-gruppen", "min_per_term": 1})

    forums = service.list_forums()

    assert [f["slug"] for f in forums] == ["ros-gruppen", "stormote"]
    assert forums[1]["min_per_term"] == 1
    assert set(forums[0]) >= {"id", "slug", "name", "owner_committee", "description"}


def test_warnings_name_a_term_without_stormote_and_a_year_outside_4_to_12(service):
    service.create_forum({"slug": "stormote", "name": "Stormöte", "owner_committee": "RÖS-gruppen", "min_per_term": 1})
    service.create_forum(
        {"slug": "ros", "name": "RÖS", "owner_committee": "BMR", "min_per_year": 4, "max_per_year": 12}
    )
    service.schedule_meeting({**MEETING, "forum_slug": "stormote", "starts_at": "2027-03-10T13:00:00"})
    service.schedule_meeting({**MEETING, "forum_slug": "ros", "rrule": "FREQ=MONTHLY;COUNT=3"})
    thirteen = service.schedule_meeting(
        {**MEETING, "forum_slug": "ros", "starts_at": "2028-01-10T13:00:00", "ends_at": "2028-01-10T14:00:00",
         "rrule": "FREQ=WEEKLY;COUNT=13"}
    )  # fmt: skip

    warnings_2027 = {(w["forum_slug"], w["code"], w["term"], w["count"]) for w in service.schedule_warnings(2027)}
    warnings_2028 = {(w["forum_slug"], w["code"]) for w in service.schedule_warnings(2028)}

    assert warnings_2027 == {("stormote", "TERM_WITHOUT_MEETING", "autumn", 0), ("ros", "TOO_FEW_MEETINGS", None, 3)}
    assert ("ros", "TOO_MANY_MEETINGS") in warnings_2028
    service.change_occurrence(thirteen["id"], {"occurrence_start": "2028-01-17T13:00:00", "cancelled": True})
    assert ("ros", "TOO_MANY_MEETINGS") not in {(w["forum_slug"], w["code"]) for w in service.schedule_warnings(2028)}


def test_a_new_rule_drops_the_changes_made_to_the_old_occurrences(service):
    meeting = service.schedule_meeting({**MEETING, "rrule": "FREQ=WEEKLY;COUNT=4"})
    service.change_occurrence(meeting["id"], {"occurrence_start": "2027-03-17T13:00:00", "cancelled": True})

    service.update_meeting(meeting["id"], {"version": 2, "rrule": "FREQ=DAILY;COUNT=10"})

    found = service.meetings_between("2027-03-10", "2027-03-31")
    assert [m["status"] for m in found] == ["planned"] * 10


def test_meeting_events_carry_the_registration_deadline_for_reminders(service):
    service.schedule_meeting({**MEETING, "capacity": 20, "registration_deadline": "2027-03-03T12:00:00"})

    [row] = [
        r
        for r in service.uow.session.execute(service.uow.metadata.tables["outbox"].select())
        if r.type == "meeting_scheduled"
    ]
    data = json.loads(row.envelope)["data"]
    assert data["registration_deadline"] == "2027-03-03T12:00:00+01:00"
    assert data["capacity"] == 20
