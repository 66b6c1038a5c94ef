from icalendar import Calendar
from nameko.testing.services import worker_factory

from samverkan_common.testing import in_memory_uow
from samverkan_events.adapters.repository import EventsUnitOfWork
from samverkan_events.entrypoints.service import EventsService


def test_forum_feed_lists_its_meetings_in_stockholm_time():
    service = worker_factory(EventsService, uow=in_memory_uow(EventsUnitOfWork))
    service.create_forum({"slug": "ser", "name": "SER", "owner_committee": "KUN"})
    meeting = service.schedule_meeting(
        {
            "forum_slug": "ser",
            "title": "Sociala ekonomins råd",
            "level": "consultation",
            "starts_at": "2027-05-04T09:30:00",
            "ends_at": "2027-05-04T11:00:00",
            "location": "Regionens hus, Vänersborg",
        }
    )

    calendar = Calendar.from_ical(service.forum_feed("ser"))

    [event] = calendar.walk("VEVENT")
    assert str(event["uid"]) == f"{meeting['id']}@samverkan"
    assert event["dtstart"].dt.isoformat() == "2027-05-04T09:30:00+02:00"
    assert event["dtstart"].params["TZID"] == "Europe/Stockholm"
    assert str(event["location"]) == "Regionens hus, Vänersborg"
    [zone] = calendar.walk("VTIMEZONE")
    assert zone["tzid"] == "Europe/Stockholm"
    assert {c.name for c in zone.subcomponents} == {"STANDARD", "DAYLIGHT"}
