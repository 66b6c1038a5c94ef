"""The calendar page: its query schema (views and filters) and what it asks the events service for."""

from __future__ import annotations

import html
import re
from datetime import date
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from marshmallow import ValidationError

from samverkan_common.errors import NotFound
from samverkan_gateway.auth import Role
from samverkan_gateway.pages import calendar
from samverkan_gateway.pages.calendar import CalendarQuerySchema, CalendarView
from samverkan_gateway.people import create_user

FORUMS = [{"slug": "ros-gruppen", "name": "RÖS-gruppen"}, {"slug": "ser", "name": "Sociala ekonomins råd (SER)"}]
MEETINGS = [
    {
        "meeting_id": "m1",
        "forum_slug": "ser",
        "title": "SER i Skövde",
        "starts_at": "2026-12-07T13:00:00+01:00",
        "level": "partnership",
        "status": "planned",
        "location": "Stadshuset",
        "municipality_code": "1496",
        "online": True,
    },
    {
        "meeting_id": "m2",
        "forum_slug": "ros-gruppen",
        "title": "RÖS digitalt",
        "starts_at": "2026-12-09T09:30:00+01:00",
        "level": "dialogue",
        "status": "cancelled",
        "location": "",
        "municipality_code": "",
        "online": True,
    },
]


def load(app, query: dict[str, str], today: date = date(2026, 11, 22)) -> dict[str, Any]:
    with app.test_request_context("/kalender"):
        return CalendarQuerySchema({"ros-gruppen", "ser"}, {"1480", "1496"}, today=today).load(query)


def refused(app, query: dict[str, str]) -> dict[str, list[str]]:
    with app.test_request_context("/kalender"), pytest.raises(ValidationError) as error:
        CalendarQuerySchema({"ros-gruppen", "ser"}, {"1480", "1496"}).load(query)
    return error.value.messages  # type: ignore[return-value]


def test_without_a_query_the_calendar_lists_the_coming_six_months_unfiltered(app):
    chosen = load(app, {})

    assert chosen["view"] == CalendarView("lista", date(2026, 11, 22), date(2027, 5, 21))
    assert chosen["where"] == {"forum_slugs": [], "level": None, "municipality_code": "", "mode": None}


def test_a_month_runs_from_its_first_to_its_last_day_and_links_to_its_neighbours(app):
    view = load(app, {"vy": "manad", "manad": "2026-12"})["view"]

    assert (view.first, view.last) == (date(2026, 12, 1), date(2026, 12, 31))
    assert view.neighbour(-1) == {"vy": "manad", "manad": "2026-11"}
    assert view.neighbour(1) == {"vy": "manad", "manad": "2027-01"}
    assert load(app, {"vy": "manad"})["view"].month == "2026-11"


def test_a_week_is_an_iso_week_from_monday_to_sunday_across_the_new_year(app):
    view = load(app, {"vy": "vecka", "vecka": "2026-W53"})["view"]

    assert (view.first, view.last) == (date(2026, 12, 28), date(2027, 1, 3))
    assert view.neighbour(1) == {"vy": "vecka", "vecka": "2027-W01"}
    assert view.neighbour(-1) == {"vy": "vecka", "vecka": "2026-W52"}
    assert load(app, {"vy": "vecka"})["view"].week == "2026-W47"


def test_swedish_filter_values_become_the_events_service_filter(app):
    chosen = load(app, {"forum": "ser", "niva": "partnerskap", "kommun": "1496", "motesform": "digitalt"})

    assert chosen["where"] == {
        "forum_slugs": ["ser"],
        "level": "partnership",
        "municipality_code": "1496",
        "mode": "online",
    }
    assert load(app, {"motesform": "pa-plats", "niva": "samrad"})["where"]["mode"] == "in_person"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"vy": "ar"}, "vy"),
        ({"manad": "2026-13"}, "manad"),
        ({"manad": "december"}, "manad"),
        ({"vecka": "2025-W53"}, "vecka"),  # 2025 has 52 ISO weeks
        ({"forum": "no-such-forum"}, "forum"),
        ({"niva": "dialogue"}, "niva"),
        ({"kommun": "9999"}, "kommun"),
        ({"motesform": "telepati"}, "motesform"),
    ],
)
def test_a_value_outside_the_choices_is_refused_naming_its_field(app, query, field):
    assert list(refused(app, query)) == [field]


@pytest.fixture
def calls(monkeypatch):
    made: list[tuple[str, tuple[Any, ...]]] = []

    def fake(service: str, method: str, *args: Any) -> Any:
        made.append((method, args))
        if method == "list_forums":
            return FORUMS
        if method == "list_municipalities":
            return [{"code": "1480", "name": "Göteborg"}, {"code": "1496", "name": "Skövde"}]
        if method == "meetings_between":
            return MEETINGS
        raise AssertionError(method)

    monkeypatch.setattr(calendar, "call", fake)
    return made


def test_month_view_asks_for_the_month_with_the_filter_and_lists_the_days(client, calls):
    response = client.get("/kalender?vy=manad&manad=2026-12&forum=ser&motesform=pa-plats")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    where = {"forum_slugs": ["ser"], "level": None, "municipality_code": "", "mode": "in_person"}
    assert ("meetings_between", ("2026-12-01", "2026-12-31", where)) in calls
    assert "Möten i december 2026" in page
    assert "Måndag 7 december" in page
    assert "På plats: Stadshuset · Digitalt" in page
    assert "Inställt" in page
    assert 'href="/kalender?vy=manad&amp;manad=2026-11&amp;forum=ser&amp;motesform=pa-plats" rel="prev"' in page
    assert 'href="/kalender?vy=manad&amp;manad=2027-01&amp;forum=ser&amp;motesform=pa-plats" rel="next"' in page
    # The subscribe link follows the forum chosen; the other filters have no feed, and the page says so.
    assert "webcal://localhost/feeds/forums/ser.ics" in page
    assert 'class="feed-note"' in page


def test_week_view_shows_every_day_of_the_week_and_the_feed_of_all_meetings(client, calls):
    page = client.get("/kalender?vy=vecka&vecka=2026-W50").get_data(as_text=True)

    assert calls[-1][1][:2] == ("2026-12-07", "2026-12-13")
    assert page.count('class="day"') == 7
    assert "Möten vecka 50, 2026" in page
    assert "webcal://localhost/feeds/all.ics" in page
    assert 'class="feed-note"' not in page


def test_a_bad_filter_gets_an_error_summary_linking_to_its_field_and_no_meetings(client, calls):
    response = client.get("/kalender?vy=manad&manad=2026-12&kommun=Borås")

    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'href="#kommun"' in page
    assert 'aria-invalid="true"' in page
    assert not any(method == "meetings_between" for method, _a in calls)


def test_in_english_the_month_and_days_are_english_and_the_language_is_not_a_filter(client, calls):
    response = client.get("/kalender?vy=manad&manad=2026-12&lang=en")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Meetings in December 2026" in page
    assert "Monday 7 December" in page
    assert "In person: Stadshuset · Online" in page


# Kommande: day by day, the forum on each meeting, one subscribe panel


def test_upcoming_lists_the_meetings_day_by_day_naming_each_forum(client, calls):
    page = client.get("/kalender").get_data(as_text=True)

    assert page.index("Måndag 7 december") < page.index("SER i Skövde") < page.index("Onsdag 9 december")
    assert page.index("Onsdag 9 december") < page.index("RÖS digitalt")
    assert "vecka 50" in page
    assert '<span class="meeting-forum">Sociala ekonomins råd (SER)</span>' in page
    assert '<span class="meeting-forum">RÖS-gruppen</span>' in page


def test_upcoming_has_one_subscribe_panel_for_what_is_shown(client, calls):
    everything = client.get("/kalender").get_data(as_text=True)
    one_forum = client.get("/kalender?forum=ser").get_data(as_text=True)

    assert everything.count('class="subscribe"') == 1
    assert 'value="http://localhost/feeds/all.ics" readonly' in everything
    assert "Prenumerera: alla möten" in everything
    assert one_forum.count('class="subscribe"') == 1
    assert 'value="http://localhost/feeds/forums/ser.ics" readonly' in one_forum
    assert "Prenumerera: Sociala ekonomins råd (SER)" in one_forum


def test_the_google_subscribe_link_carries_the_feeds_webcal_address_url_encoded(client, calls):
    page = client.get("/kalender?forum=ser").get_data(as_text=True)

    # Google does not open webcal:// itself; its cid parameter takes the address, encoded whole.
    assert (
        'href="https://calendar.google.com/calendar/r?cid=webcal%3A%2F%2Flocalhost%2Ffeeds%2Fforums%2Fser.ics"' in page
    )
    assert "Prenumerera i Google Kalender" in page


def test_the_copy_button_is_hidden_until_its_script_shows_it(client, calls):
    page = client.get("/kalender").get_data(as_text=True)

    button = re.search(r"<button[^>]*data-copy=\"feed-url-calendar\"[^>]*>([^<]*)</button>", page)
    assert button is not None
    assert " hidden" in button.group(0)  # without JavaScript there is no button that does nothing
    assert button.group(1) == "Kopiera adressen"
    assert 'data-copied="Kopierad"' in button.group(0)
    assert 'role="status" aria-live="polite"' in page
    assert '<script src="/static/copy-address.js" defer></script>' in page
    assert "<script>" not in page  # the CSP allows no inline script


def test_a_day_heading_says_today_and_tomorrow(app, client, monkeypatch):
    today = calendar.datetime.now(calendar.STOCKHOLM).date()
    meetings = [
        {**MEETINGS[0], "starts_at": f"{today}T18:00:00+01:00"},
        {**MEETINGS[1], "starts_at": f"{today + calendar.timedelta(days=1)}T09:00:00+01:00"},
    ]

    def fake(service: str, method: str, *args: Any) -> Any:
        return {"list_forums": FORUMS, "list_municipalities": [], "meetings_between": meetings}[method]

    monkeypatch.setattr(calendar, "call", fake)
    page = client.get("/kalender").get_data(as_text=True)

    assert ">I dag, " in page
    assert ">I morgon, " in page


# A meeting's page: its forum, its own .ics, Google's add link, why registration is closed

MEETING = {
    "id": "m1",
    "forum_slug": "ser",
    "title": "SER: idéburet offentligt partnerskap",
    "description": "Hur ett IOP kommer till.",
    "starts_at": "2031-03-04T13:00:00+01:00",
    "ends_at": "2031-03-04T15:30:00+01:00",
    "timezone": "Europe/Stockholm",
    "registration_deadline": None,
    "level": "partnership",
    "status": "planned",
    "location": "Stadshuset, Skövde",
    "online_url": "",
    "capacity": 25,
    "rrule": "",
}
OPEN = {"meeting_id": "m1", "closed": None, "capacity": 25, "confirmed": 3, "places_left": 22, "waitlisted": 0}
ICS = "BEGIN:VCALENDAR\r\nMETHOD:PUBLISH\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"


@pytest.fixture
def meeting_calls(monkeypatch):
    answers: dict[str, Any] = {
        "list_forums": FORUMS,
        "get_meeting": MEETING,
        "registration_places": OPEN,
        "meeting_ics": ICS,
    }
    made: list[tuple[str, tuple[Any, ...]]] = []

    def fake(service: str, method: str, *args: Any) -> Any:
        made.append((method, args))
        answer = answers[method]
        if isinstance(answer, Exception):
            raise answer
        return answer

    monkeypatch.setattr(calendar, "call", fake)
    return answers


def test_a_meeting_page_names_its_forum_and_links_to_the_calendar_of_it(client, meeting_calls):
    page = client.get("/moten/m1").get_data(as_text=True)

    assert '<a href="/kalender?forum=ser">Sociala ekonomins råd (SER)</a>' in page
    assert "Prenumerera: Sociala ekonomins råd (SER)" in page
    assert 'value="http://localhost/feeds/forums/ser.ics" readonly' in page


def test_a_meeting_page_offers_its_own_ics_and_googles_add_link(client, meeting_calls):
    page = client.get("/moten/m1").get_data(as_text=True)

    assert '<a class="button" href="/moten/m1.ics" download>Ladda ner mötet (.ics)</a>' in page
    found = re.search(
        r'href="(https://calendar\.google\.com/calendar/render\?[^"]+)">Lägg till i Google Kalender', page
    )
    assert found is not None
    url = urlsplit(html.unescape(found.group(1)))
    query = parse_qs(url.query)
    assert query["action"] == ["TEMPLATE"]
    assert query["text"] == ["SER: idéburet offentligt partnerskap"]
    assert query["dates"] == ["20310304T120000Z/20310304T143000Z"]  # 13:00–15:30 Swedish winter time, in UTC
    assert query["ctz"] == ["Europe/Stockholm"]
    assert query["location"] == ["Stadshuset, Skövde"]
    assert query["details"] == ["Hur ett IOP kommer till.\n\nhttp://localhost/moten/m1"]
    assert "recur" not in query


def test_a_recurring_meetings_google_link_repeats_by_its_rule(client, meeting_calls):
    meeting_calls["get_meeting"] = {**MEETING, "rrule": "FREQ=WEEKLY;COUNT=4"}

    page = html.unescape(client.get("/moten/m1").get_data(as_text=True))

    assert "recur=RRULE%3AFREQ%3DWEEKLY%3BCOUNT%3D4" in page


def test_a_cancelled_meeting_offers_no_google_link(client, meeting_calls):
    meeting_calls["get_meeting"] = {**MEETING, "status": "cancelled"}
    meeting_calls["registration_places"] = {**OPEN, "closed": "MEETING_CANCELLED"}

    page = client.get("/moten/m1").get_data(as_text=True)

    assert "Lägg till i Google Kalender" not in page
    assert "Mötet är inställt, så det går inte att anmäla sig." in page


def test_the_ics_route_serves_the_meeting_as_a_calendar_file(client, meeting_calls):
    response = client.get("/moten/m1.ics")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="ser-ideburet-offentligt-partnerskap.ics"'
    assert response.get_data(as_text=True) == ICS


def test_an_unknown_meetings_ics_is_404(client, meeting_calls):
    meeting_calls["meeting_ics"] = NotFound("There is no meeting 'nope'.", "MEETING_NOT_FOUND")

    assert client.get("/moten/nope.ics").status_code == 404


def test_an_ics_file_name_is_plain_ascii_from_the_title():
    assert calendar.ics_filename("RÖS-gruppen: planering av verksamhetsåret") == (
        "ros-gruppen-planering-av-verksamhetsaret.ics"
    )
    assert calendar.ics_filename("???") == "mote.ics"
    assert len(calendar.ics_filename("x" * 300)) <= 64


@pytest.mark.parametrize(
    ("code", "now", "changes", "reason"),
    [
        ("MEETING_CANCELLED", "2031-03-01T12:00:00+00:00", {}, "Mötet är inställt, så det går inte att anmäla sig."),
        ("NO_REGISTRATION", "2031-03-01T12:00:00+00:00", {}, "Det går inte att anmäla sig till det här mötet."),
        (
            "REGISTRATION_CLOSED",
            "2031-03-03T12:00:00+00:00",
            {"registration_deadline": "2031-03-02T23:59:00+01:00"},
            "Sista dag för anmälan var 2 mars 2031, 23:59. Anmälan är stängd.",
        ),
        (
            "REGISTRATION_CLOSED",
            "2031-03-04T13:00:00+00:00",
            {},
            "Mötet har redan börjat, så det går inte längre att anmäla sig.",
        ),
        (
            "REGISTRATION_CLOSED",
            "2031-03-05T08:00:00+00:00",
            {},
            "Mötet har redan varit, så det går inte längre att anmäla sig.",
        ),
        (None, "2031-03-01T12:00:00+00:00", {}, None),
    ],
)
def test_the_page_says_in_plain_swedish_why_registration_is_closed(app, code, now, changes, reason):
    with app.test_request_context("/moten/m1"):
        said = calendar.closed_reason(code, {**MEETING, **changes}, calendar.datetime.fromisoformat(now))

    assert said == reason


def test_a_full_meeting_says_a_registration_goes_on_the_waiting_list(app, client, meeting_calls):
    meeting_calls["registration_places"] = {**OPEN, "confirmed": 25, "places_left": 0, "waitlisted": 2}
    log_in(app, client)

    page = client.get("/moten/m1").get_data(as_text=True)

    assert "Mötet är fullt. Anmäler du dig nu hamnar du på väntelistan" in page
    assert "Anmäl till väntelistan" in page


def test_the_form_is_filled_in_with_the_logged_in_persons_name_and_address(app, client, meeting_calls):
    log_in(app, client)

    page = client.get("/moten/m1").get_data(as_text=True)

    assert 'name="attendee_name" value="Rep Ett"' in page
    assert 'name="attendee_email" value="rep@example.org"' in page
    assert "Ändra dem om du anmäler någon annan." in page


def test_a_person_without_a_name_gets_only_the_address_filled_in(app, client, meeting_calls):
    log_in(app, client, name=None)

    page = client.get("/moten/m1").get_data(as_text=True)

    assert 'name="attendee_name" value=""' in page
    assert 'name="attendee_email" value="rep@example.org"' in page


def test_a_visitor_gets_no_form_to_fill_in(client, meeting_calls):
    page = client.get("/moten/m1").get_data(as_text=True)

    assert 'name="attendee_email"' not in page
    assert "Logga in för att anmäla" in page


PASSWORD = "en lång och hemlig fras för test"


def log_in(app, client, name: str | None = "Rep Ett") -> None:
    create_user(app.extensions["samverkan_db"], "rep@example.org", PASSWORD, Role.ORGANISATION, "org-1", name=name)
    form = client.get("/logga-in").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert csrf is not None
    answer = client.post("/logga-in", data={"email": "rep@example.org", "password": PASSWORD, "csrf_token": csrf[1]})
    assert answer.status_code == 303


def test_the_answer_to_a_registration_offers_the_meeting_for_the_calendar(app, client, meeting_calls):
    meeting_calls["get_registration"] = {
        "id": "r1",
        "meeting_id": "m1",
        "attendee_name": "Rep Ett",
        "attendee_email": "rep@example.org",
        "status": "confirmed",
        "waitlist_position": None,
    }
    log_in(app, client)

    page = client.get("/moten/m1/anmalan/r1").get_data(as_text=True)

    assert "Du har en plats" in page
    assert 'href="/moten/m1.ics" download>Ladda ner mötet (.ics)' in page
    assert "https://calendar.google.com/calendar/render?action=TEMPLATE" in page
