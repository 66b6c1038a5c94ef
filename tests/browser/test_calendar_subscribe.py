"""Subscribing and adding meetings to a calendar, in Chromium: the copy button, a meeting's .ics, Google's links.

Each page is checked with axe at desktop width and at 375 px (a small phone), where long words must wrap
rather than widen the page; the screenshots of both widths are kept under var/screenshots/.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from tests.browser.conftest import SCREENSHOTS, serious_accessibility_violations

pytestmark = pytest.mark.e2e

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}
LONG_WORD = "Civilsamhällesöverenskommelseuppföljningsarbetsgruppsmöte"
OPEN = "Kalenderprov: öppen anmälan"
CLOSED = f"Kalenderprov: {LONG_WORD}"
MONTHS = [
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
]


def _day(days: int) -> str:
    return (datetime.now(ZoneInfo("Europe/Stockholm")).date() + timedelta(days=days)).isoformat()


@pytest.fixture(scope="module")
def site(stack, planner):
    stack.cli("demo", "--tokens-file", str(stack.log_dir / "demo-tokens.json"))
    meetings = [
        {
            "forum_slug": "ser",
            "title": OPEN,
            "description": "Vi går igenom förslagen. Läs mer på https://www.example.org/"
            + "mycket-lang-adress-utan-mellanslag-" * 4,
            "starts_at": f"{_day(20)}T18:00:00",
            "ends_at": f"{_day(20)}T19:30:00",
            "level": "dialogue",
            "location": "Stadshuset, Skövde",
            "online_url": "https://meet.example.org/" + "ettmycketlangtrumsnamn" * 4,
            "capacity": 10,
            "registration_deadline": f"{_day(18)}T23:59:00",
        },
        {
            "forum_slug": "ros-gruppen",
            "title": CLOSED,
            "starts_at": f"{_day(12)}T09:00:00",
            "ends_at": f"{_day(12)}T10:00:00",
            "level": "information",
            "location": f"Regionens hus, {LONG_WORD}salen",
        },
    ]
    ids = {}
    for meeting in meetings:
        scheduled = planner.post("/api/v1/meetings", json=meeting)
        assert scheduled.status_code == 201, scheduled.text
        ids[meeting["title"]] = scheduled.json()["id"]
    return {"url": stack.url, "ids": ids}


@pytest.fixture
def page(browser, site):
    # Clipboard access is granted so that the test can read what the copy button wrote.
    context = browser.new_context(
        viewport=DESKTOP, bypass_csp=True, locale="sv-SE", permissions=["clipboard-read", "clipboard-write"]
    )
    opened = context.new_page()
    yield opened
    context.close()


def check_at_both_widths(page, name: str) -> None:
    """axe finds nothing serious at either width, nothing is wider than a 375 px screen; a picture of each."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for label, size in (("desktop", DESKTOP), ("375", PHONE)):
        page.set_viewport_size(size)
        assert serious_accessibility_violations(page) == [], label
        if size is PHONE:
            # Long words wrap instead of pushing the page sideways.
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


def test_the_copy_button_copies_the_address_of_a_feed_that_serves_icalendar(page, site):
    page.goto(site["url"] + "/kalender")

    panel = page.get_by_role("region", name="Prenumerera: alla möten")
    address = panel.get_by_label("Eller kopiera den här adressen till din kalender:")
    assert address.input_value().endswith("/feeds/all.ics")
    assert address.get_attribute("readonly") is not None
    panel.get_by_role("button", name="Kopiera adressen").click()

    status = panel.get_by_role("status")
    status.filter(has_text="Kopierad").wait_for()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == address.input_value()
    feed = page.request.get(copied)
    assert feed.status == 200
    assert feed.headers["content-type"] == "text/calendar; charset=utf-8"
    assert OPEN in feed.text()
    check_at_both_widths(page, "calendar-upcoming")


def test_upcoming_meetings_are_listed_by_day_with_their_forum(page, site):
    page.goto(site["url"] + "/kalender")

    day = page.locator("section.day", has=page.get_by_role("link", name=OPEN))
    date = datetime.fromisoformat(_day(20))
    heading = day.get_by_role("heading", level=2).inner_text()
    assert f"{date.day} {MONTHS[date.month - 1]}" in heading
    assert f"vecka {date.isocalendar()[1]}" in heading
    assert day.locator("h2 time").get_attribute("datetime") == _day(20)
    assert "Sociala ekonomins råd (SER)" in day.inner_text()
    assert "18:00" in day.inner_text()
    assert page.locator(".subscribe").count() == 1


def test_the_google_subscribe_link_gives_google_the_feeds_webcal_address(page, site):
    page.goto(site["url"] + "/kalender?forum=ser")

    panel = page.get_by_role("region", name="Prenumerera: Sociala ekonomins råd (SER)")
    https = panel.get_by_label("Eller kopiera den här adressen till din kalender:").input_value()
    google = panel.get_by_role("link", name="Prenumerera i Google Kalender").get_attribute("href")
    webcal = panel.get_by_role("link", name="Prenumerera i din kalender").get_attribute("href")
    url = urlsplit(google)
    assert (url.scheme, url.netloc, url.path) == ("https", "calendar.google.com", "/calendar/r")
    assert "%2F%2F" in url.query  # the whole address is encoded, so Google reads it as one value
    assert parse_qs(url.query)["cid"] == [webcal]
    assert webcal == "webcal://" + https.split("://", 1)[1]
    assert https.endswith("/feeds/forums/ser.ics")


def test_a_meeting_page_names_its_forum_and_gives_its_own_ics_and_google_link(page, site):
    page.goto(site["url"] + "/kalender")
    page.get_by_role("link", name=OPEN).click()

    assert page.get_by_role("heading", level=1).inner_text() == OPEN
    forum = page.get_by_role("link", name="Sociala ekonomins råd (SER)", exact=True)
    assert forum.get_attribute("href") == "/kalender?forum=ser"

    with page.expect_download() as downloading:
        page.get_by_role("link", name="Ladda ner mötet (.ics)").click()
    download = downloading.value
    assert download.suggested_filename == "kalenderprov-oppen-anmalan.ics"
    calendar = Calendar.from_ical(Path(download.path()).read_bytes())
    assert str(calendar["METHOD"]) == "PUBLISH"
    [event] = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == OPEN
    assert event["DTSTART"].dt.strftime("%H:%M") == "18:00"
    assert str(event["DTSTART"].dt.tzinfo) == "Europe/Stockholm"
    served = page.request.get(page.url + ".ics")
    assert served.headers["content-type"] == "text/calendar; charset=utf-8"
    assert served.headers["content-disposition"].startswith("attachment;")

    google = urlsplit(page.get_by_role("link", name="Lägg till i Google Kalender").get_attribute("href"))
    assert (google.netloc, google.path) == ("calendar.google.com", "/calendar/render")
    query = parse_qs(google.query)
    assert query["action"] == ["TEMPLATE"]
    assert query["text"] == [OPEN]
    start, end = query["dates"][0].split("/")
    utc = datetime.strptime(start, "%Y%m%dT%H%M%SZ").replace(tzinfo=ZoneInfo("UTC"))
    assert utc.astimezone(ZoneInfo("Europe/Stockholm")).strftime("%Y-%m-%d %H:%M") == f"{_day(20)} 18:00"
    assert end.endswith("Z")
    assert query["ctz"] == ["Europe/Stockholm"]
    assert query["location"] == ["Stadshuset, Skövde"]
    assert page.url in unquote(query["details"][0])
    check_at_both_widths(page, "meeting-logged-out")


def test_logged_in_the_form_is_filled_in_and_the_page_is_accessible(page, site, stack):
    person = json.loads((stack.log_dir / "demo-users.json").read_text())["organisation"]
    page.goto(site["url"] + f"/logga-in?next=/moten/{site['ids'][OPEN]}")
    page.get_by_label("E-postadress").fill(person["email"])
    page.get_by_label("Lösenord").fill(person["password"])
    page.get_by_role("button", name="Logga in").click()

    assert page.get_by_role("heading", level=1).inner_text() == OPEN
    assert page.get_by_label("Namn", exact=True).input_value() == "Anna Exempel (Exempelföreningen för friluftsliv)"
    assert page.get_by_label("E-postadress").input_value() == person["email"]
    assert "Ändra dem om du anmäler någon annan." in page.locator(".register").inner_text()
    check_at_both_widths(page, "meeting-open-registration")


def test_a_meeting_without_registration_says_so_and_its_long_words_wrap(page, site):
    page.goto(site["url"] + f"/moten/{site['ids'][CLOSED]}")

    assert page.get_by_role("heading", level=1).inner_text() == CLOSED
    register = page.get_by_role("region", name="Anmäl", exact=True)
    assert "Det går inte att anmäla sig till det här mötet." in register.inner_text()
    assert register.get_by_role("button").count() == 0
    assert (
        page.get_by_role("link", name="RÖS-gruppen", exact=True).get_attribute("href") == "/kalender?forum=ros-gruppen"
    )
    check_at_both_widths(page, "meeting-closed-registration")


def test_without_javascript_there_is_no_dead_copy_button_and_the_address_is_there(browser, site):
    context = browser.new_context(java_script_enabled=False, locale="sv-SE")
    page = context.new_page()
    page.goto(site["url"] + "/kalender")

    assert page.get_by_role("button", name="Kopiera adressen").count() == 0
    assert page.get_by_label("Eller kopiera den här adressen till din kalender:").input_value().endswith("/all.ics")
    context.close()
