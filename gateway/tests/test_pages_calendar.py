"""The calendar page: its query schema (views and filters) and what it asks the events service for."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from marshmallow import ValidationError

from samverkan_gateway.pages import calendar
from samverkan_gateway.pages.calendar import CalendarQuerySchema, CalendarView

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
