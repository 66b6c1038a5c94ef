from icalendar import Calendar
from nameko.testing.services import worker_factory

from samverkan_common.testing import in_memory_uow
from samverkan_events.adapters.ical import FeedCache
from samverkan_events.adapters.repository import EventsUnitOfWork
from samverkan_events.entrypoints.service import EventsService


def test_forum_feed_lists_its_meetings_in_stockholm_time():
    service = worker_factory(EventsService, uow=in_memory_uow(EventsUnitOfWork), feed_cache=FeedCache())
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


# What calendar apps need of a feed (RFC 5545, RFC 7986), and what no title can break.

from datetime import UTC, datetime, timedelta  # noqa: E402

from samverkan_events.service_layer import feeds  # noqa: E402

FORUM = {"slug": "ser", "name": "SER", "owner_committee": "KUN", "description": "Sociala ekonomins råd"}
MEETING = {
    "forum_slug": "ser",
    "title": "Sociala ekonomins råd",
    "level": "consultation",
    "starts_at": "2027-05-04T09:30:00",
    "ends_at": "2027-05-04T11:00:00",
    "location": "Regionens hus, Vänersborg",
    "online_url": "https://meet.example.org/ser",
    "organiser": "Anna Exempel, KUN",
}


def feed_of(events, kind="forum", key="ser", **kwargs):
    return Calendar.from_ical(events.feed(kind, key, **kwargs)["body"])


def test_feed_carries_what_calendar_apps_need_and_no_organizer(events):
    events.create_forum(FORUM)
    meeting = events.schedule_meeting(MEETING)

    calendar = feed_of(events)

    assert str(calendar["X-WR-CALNAME"]) == "SER"
    assert calendar["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"
    assert calendar["REFRESH-INTERVAL"].dt == timedelta(hours=1)
    assert str(calendar["X-PUBLISHED-TTL"]) == "PT1H"
    [event] = calendar.walk("VEVENT")
    for name in ("UID", "DTSTAMP", "LAST-MODIFIED", "SEQUENCE", "URL", "LOCATION", "STATUS"):
        assert name in event, name
    assert "ORGANIZER" not in event
    url = f"http://127.0.0.1:8000/moten/{meeting['id']}"
    assert str(event["URL"]) == url
    assert url in str(event["DESCRIPTION"])  # many apps ignore URL
    assert "https://meet.example.org/ser" in str(event["DESCRIPTION"])
    assert b"Anna Exempel" not in events.feed("forum", "ser")["body"].encode()


def test_cancelled_meeting_stays_in_feed_as_cancelled_with_a_raised_sequence(events):
    events.create_forum(FORUM)
    meeting = events.schedule_meeting(MEETING)

    events.cancel_meeting(meeting["id"], {"version": meeting["version"]})

    [event] = feed_of(events).walk("VEVENT")
    assert str(event["STATUS"]) == "CANCELLED"
    assert event["SEQUENCE"] == meeting["sequence"] + 1
    assert str(event["UID"]) == f"{meeting['id']}@samverkan"


def test_cancelled_meeting_leaves_the_feed_after_30_days(events):
    events.create_forum(FORUM)
    meeting = events.schedule_meeting(MEETING)
    events.cancel_meeting(meeting["id"])
    cancelled_at = events.uow.meetings.get(meeting["id"]).cancelled_at

    after_29_days = feeds.forum_feed(
        events.uow, events.feed_cache, "ser", "http://x", now=cancelled_at + timedelta(days=29)
    )
    after_31_days = feeds.forum_feed(
        events.uow, events.feed_cache, "ser", "http://x", now=cancelled_at + timedelta(days=31)
    )

    assert len(Calendar.from_ical(after_29_days.body).walk("VEVENT")) == 1
    assert Calendar.from_ical(after_31_days.body).walk("VEVENT") == []
    assert after_29_days.etag != after_31_days.etag


def test_description_with_crlf_and_begin_vevent_cannot_add_a_property_or_an_event(events):
    events.create_forum(FORUM)
    attack = "Möte\r\nBEGIN:VEVENT\r\nUID:evil\r\nORGANIZER:mailto:evil@example.org\r\n"
    attack += "END:VEVENT\rX-EVIL:1\nSTATUS:CANCELLED"
    # Title and location are one line (a line break is refused); the description may have many.
    events.schedule_meeting({**MEETING, "title": attack.splitlines()[0], "description": attack})

    body = events.feed("forum", "ser")["body"]

    calendar = Calendar.from_ical(body)
    [event] = calendar.walk("VEVENT")
    assert "ORGANIZER" not in event
    assert "X-EVIL" not in event
    assert str(event["STATUS"]) == "TENTATIVE"
    assert str(event["DESCRIPTION"]).startswith(attack.replace("\r\n", "\n").replace("\r", "\n"))
    lines = body.split("\r\n")
    assert [line for line in lines if line.startswith("BEGIN:VEVENT")] == ["BEGIN:VEVENT"]
    assert not [line for line in lines if line.startswith(("UID:evil", "ORGANIZER", "X-EVIL", "STATUS:CANCELLED"))]
    assert "\r" not in body.replace("\r\n", "")
    assert "\n" not in body.replace("\r\n", "")


def test_unchanged_feed_is_answered_without_a_body_when_the_caller_knows_its_etag(events):
    events.create_forum(FORUM)
    events.schedule_meeting(MEETING)
    first = events.feed("forum", "ser")

    again = events.feed("forum", "ser", [first["etag"]])
    since = events.feed("forum", "ser", None, first["last_modified"])

    assert again == {**first, "body": None}
    assert since["body"] is None


def test_feed_changes_its_etag_when_a_meeting_changes(events):
    events.create_forum(FORUM)
    meeting = events.schedule_meeting(MEETING)
    before = events.feed("forum", "ser")

    events.update_meeting(meeting["id"], {"version": meeting["version"], "description": "Ny dagordning"})

    after = events.feed("forum", "ser", [before["etag"]])
    assert after["etag"] != before["etag"]
    assert "Ny dagordning" in after["body"]


def test_rebuild_after_one_change_renders_only_that_meeting(events):
    events.create_forum(FORUM)
    meetings = [events.schedule_meeting({**MEETING, "title": f"Möte {n}"}) for n in range(50)]
    events.feed("forum", "ser")
    events.feed("all")
    rendered = events.feed_cache.rendered

    events.update_meeting(meetings[7]["id"], {"version": 1, "starts_at": "2027-05-04T10:00:00"})
    forum_feed = events.feed("forum", "ser")["body"]
    all_feed = events.feed("all")["body"]

    assert events.feed_cache.rendered == rendered + 1
    assert forum_feed.count("BEGIN:VEVENT") == 50
    assert "DTSTART;TZID=Europe/Stockholm:20270504T100000" in all_feed


def test_dtstamp_is_the_last_change_so_an_unchanged_feed_is_the_same_bytes(events):
    events.create_forum(FORUM)
    events.schedule_meeting(MEETING)
    first = events.feed("forum", "ser")["body"]
    events.feed_cache.feeds.clear()
    events.feed_cache.meetings.clear()

    assert events.feed("forum", "ser")["body"] == first
    [event] = Calendar.from_ical(first).walk("VEVENT")
    assert event["DTSTAMP"].dt == event["LAST-MODIFIED"].dt <= datetime.now(UTC)


def test_all_feed_holds_every_forum(events):
    events.create_forum(FORUM)
    events.create_forum({**FORUM, "slug": "ros-gruppen", "name": "RÖS-gruppen"})
    events.schedule_meeting(MEETING)
    events.schedule_meeting({**MEETING, "forum_slug": "ros-gruppen", "title": "RÖS"})

    titles = sorted(str(e["SUMMARY"]) for e in feed_of(events, "all", "").walk("VEVENT"))

    assert titles == ["RÖS", "Sociala ekonomins råd"]
