"""The calendar's month and week views and filters, search as you type, and the follow-up charts, in Chromium.

Meetings of their own in March–April 2031 keep the calendar's assertions independent of the demo's dates
(those move with today); 30 March 2031 is the change to summer time, so the month holds times on both sides.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import VIEWPORTS, screenshots, serious_accessibility_violations

pytestmark = pytest.mark.e2e

IN_GOTEBORG = "Kalendertest: på plats i Göteborg"
ONLINE = "Kalendertest: digitalt partnerskap"
HYBRID = "Kalendertest: hybrid i Skövde"
AFTER_DST = "Kalendertest: efter sommartid"
IN_APRIL = "Kalendertest: april i Vänersborg"
MEETINGS = [
    {
        "forum_slug": "ros-gruppen",
        "title": IN_GOTEBORG,
        "starts_at": "2031-03-04T13:00:00",
        "ends_at": "2031-03-04T15:00:00",
        "level": "dialogue",
        "location": "Regionens hus, Göteborg",
        "municipality_code": "1480",
    },
    {
        "forum_slug": "ser",
        "title": ONLINE,
        "starts_at": "2031-03-06T09:30:00",
        "ends_at": "2031-03-06T11:00:00",
        "level": "partnership",
        "online_url": "https://meet.example.org/kalendertest",
    },
    {
        "forum_slug": "ser",
        "title": HYBRID,
        "starts_at": "2031-03-18T18:00:00",
        "ends_at": "2031-03-18T19:30:00",
        "level": "consultation",
        "location": "Stadshuset, Skövde",
        "municipality_code": "1496",
        "online_url": "https://meet.example.org/hybrid",
    },
    {
        "forum_slug": "ros-gruppen",
        "title": AFTER_DST,
        "starts_at": "2031-03-31T10:00:00",
        "ends_at": "2031-03-31T11:00:00",
        "level": "information",
        "online_url": "https://meet.example.org/sommartid",
    },
    {
        "forum_slug": "ros-gruppen",
        "title": IN_APRIL,
        "starts_at": "2031-04-08T10:00:00",
        "ends_at": "2031-04-08T12:00:00",
        "level": "information",
        "location": "Vänersborg",
        "municipality_code": "1487",
    },
]


@pytest.fixture(scope="module")
def site(stack, planner):
    stack.cli("demo", "--tokens-file", str(stack.log_dir / "demo-tokens.json"))
    for meeting in MEETINGS:
        scheduled = planner.post("/api/v1/meetings", json=meeting)
        assert scheduled.status_code == 201, scheduled.text
    return stack.url


def titles(page) -> list[str]:
    return page.locator(".meetings a").all_inner_texts()


def test_month_view_lists_the_days_in_stockholm_time_with_previous_and_next_month(page, site):
    page.goto(site + "/kalender?vy=manad&manad=2031-03")

    assert page.get_by_role("heading", level=1).inner_text() == "Möten i mars 2031"
    assert titles(page) == [IN_GOTEBORG, ONLINE, HYBRID, AFTER_DST]
    # 13:00 in winter time and 10:00 in summer time: the hour the meeting was booked at, either side of 30 March.
    assert "13:00" in page.get_by_role("region", name="tisdag 4 mars").inner_text()
    assert "10:00" in page.get_by_role("region", name="måndag 31 mars").inner_text()
    assert "På plats: Stadshuset, Skövde · Digitalt" in page.get_by_role("region", name="tisdag 18 mars").inner_text()
    assert serious_accessibility_violations(page) == []
    screenshots(page, "calendar-month")

    page.get_by_role("link", name="Nästa månad").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Möten i april 2031"
    assert titles(page) == [IN_APRIL]
    page.get_by_role("link", name="Föregående månad").click()
    page.get_by_role("link", name="Föregående månad").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Möten i februari 2031"
    assert titles(page) == []
    assert page.get_by_text("Inga möten passar ditt val.").is_visible()


def test_week_view_shows_each_day_of_the_week_with_previous_and_next_week(page, site):
    page.goto(site + "/kalender?vy=vecka&vecka=2031-W10")

    assert page.get_by_role("heading", level=1).inner_text() == "Möten vecka 10, 2031"
    assert page.locator(".day h2").all_inner_texts() == [
        "Måndag 3 mars",
        "Tisdag 4 mars",
        "Onsdag 5 mars",
        "Torsdag 6 mars",
        "Fredag 7 mars",
        "Lördag 8 mars",
        "Söndag 9 mars",
    ]
    assert titles(page) == [IN_GOTEBORG, ONLINE]
    assert serious_accessibility_violations(page) == []
    screenshots(page, "calendar-week")

    page.get_by_role("link", name="Nästa vecka").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Möten vecka 11, 2031"
    assert titles(page) == []
    assert page.get_by_text("Inga möten.").count() == 7
    page.get_by_role("link", name="Nästa vecka").click()
    assert titles(page) == [HYBRID]
    page.get_by_role("link", name="Föregående vecka").click()
    page.get_by_role("link", name="Föregående vecka").click()
    assert titles(page) == [IN_GOTEBORG, ONLINE]


def test_switching_view_keeps_the_filters(page, site):
    page.goto(site + "/kalender?vy=manad&manad=2031-03&forum=ser")

    page.get_by_role("navigation", name="Visa kalendern som").get_by_role("link", name="Vecka").click()
    assert "vy=vecka" in page.url
    assert page.get_by_label("Forum").input_value() == "ser"


@pytest.mark.parametrize(
    ("label", "choice", "expected"),
    [
        ("Forum", "Sociala ekonomins råd (SER)", [ONLINE, HYBRID]),
        ("Nivå av delaktighet", "Partnerskap", [ONLINE]),
        ("Kommun", "Skövde", [HYBRID]),
        ("På plats eller digitalt", "På plats", [IN_GOTEBORG, HYBRID]),
        ("På plats eller digitalt", "Digitalt", [ONLINE, HYBRID, AFTER_DST]),
    ],
)
def test_each_filter_narrows_the_month_without_javascript(browser, site, label, choice, expected):
    context = browser.new_context(java_script_enabled=False, locale="sv-SE")
    page = context.new_page()
    page.goto(site + "/kalender?vy=manad&manad=2031-03")
    assert titles(page) == [IN_GOTEBORG, ONLINE, HYBRID, AFTER_DST]

    page.get_by_label(label).select_option(label=choice)
    page.get_by_role("button", name="Visa").click()

    assert page.get_by_role("heading", level=1).inner_text() == "Möten i mars 2031"
    assert titles(page) == expected
    page.get_by_role("link", name="Rensa filtren").click()
    assert titles(page) == [IN_GOTEBORG, ONLINE, HYBRID, AFTER_DST]
    context.close()


def test_subscribe_link_follows_the_forum_chosen_and_says_what_the_feed_leaves_out(page, site):
    page.goto(site + "/kalender?vy=vecka&vecka=2031-W10")
    webcal = page.get_by_role("link", name="Prenumerera i din kalender").get_attribute("href")
    assert re.fullmatch(r"webcal://[^/]+/feeds/all\.ics", webcal)

    page.get_by_label("Forum").select_option("ser")
    page.get_by_label("Nivå av delaktighet").select_option(label="Partnerskap")
    page.get_by_role("button", name="Visa").click()

    subscribe = page.locator(".subscribe")
    assert subscribe.get_by_role("heading").inner_text() == "Prenumerera: Sociala ekonomins råd (SER)"
    https = subscribe.locator("input").input_value()
    assert https.endswith("/feeds/forums/ser.ics")
    assert subscribe.get_by_role("link", name="Prenumerera i din kalender").get_attribute("href") == (
        "webcal://" + https.split("://", 1)[1]
    )
    assert "nivån, kommunen och mötesformen du har valt följer inte med" in page.locator(".feed-note").inner_text()
    feed = page.request.get(https)
    assert feed.status == 200
    assert ONLINE in feed.text()
    assert IN_GOTEBORG not in feed.text()
    screenshots(page, "calendar-week-filtered")


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("vy=manad&manad=2031-03&kommun=Borås", "kommun", "Välj en kommun i listan."),
        ("vy=manad&manad=2031-13", "manad", "Skriv en månad som år och månad, till exempel 2026-12."),
        ("vy=vecka&vecka=2031-W60", "vecka", "Skriv en vecka som år och veckonummer, till exempel 2026-W49."),
        ("niva=veto", "niva", "Välj en nivå av delaktighet i listan."),
    ],
)
def test_an_invalid_filter_shows_the_error_summary_linking_to_its_field(page, site, query, field, message):
    response = page.goto(site + "/kalender?" + query)

    assert response.status == 400
    summary = page.get_by_role("alert")
    assert "Något behöver rättas" in summary.inner_text()
    summary.get_by_role("link", name=message).click()
    assert page.evaluate("document.activeElement.id") == field
    assert page.locator(f"#{field}").get_attribute("aria-invalid") == "true"
    assert page.locator(".subscribe").count() == 1  # the subscribe block stays, even on an error
    assert serious_accessibility_violations(page) == []
    if field == "kommun":
        screenshots(page, "calendar-error")


def test_search_as_you_type_shows_results_and_announces_the_count_under_the_real_csp(browser, site):
    # No bypass_csp here: the script must run under the pages' own Content-Security-Policy.
    context = browser.new_context(viewport=VIEWPORTS["desktop"], locale="sv-SE")
    page = context.new_page()
    refused: list[str] = []
    page.on(
        "console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None
    )
    page.goto(site + "/organisationer")
    assert page.get_by_role("heading", name="4 organisationer hittades").is_visible()
    assert page.get_by_text("Listan nedanför ändras medan du skriver.").is_visible()

    with page.expect_response(lambda response: "/organisationer/traffar" in response.url) as answer:
        page.get_by_label("Namn eller ord").press_sequentially("Exempelgården", delay=20)
    assert answer.value.status == 200
    page.get_by_role("heading", name="1 organisation hittades").wait_for()
    assert page.locator(".organisations a").all_inner_texts() == ["Stiftelsen Exempelgården"]
    assert page.get_by_role("status").inner_text() == "1 organisation hittades"
    assert page.url.endswith("/organisationer?q=Exempelg%C3%A5rden")
    page.get_by_label("Namn eller ord").fill("")
    page.get_by_label("Sorts organisation").select_option("ideell_forening")
    page.get_by_role("heading", name="2 organisationer hittades").wait_for()
    assert page.locator(".organisations a").all_inner_texts() == [
        "Exempelföreningen för friluftsliv",
        "Pensionärsföreningen Exempel",
    ]
    assert page.get_by_role("status").inner_text() == "2 organisationer hittades"
    assert refused == []
    context.close()


def test_search_as_you_type_sends_one_request_when_typing_pauses(browser, site):
    context = browser.new_context(locale="sv-SE")
    page = context.new_page()
    page.goto(site + "/organisationer")
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url) if "/organisationer/traffar" in request.url else None)

    with page.expect_response(lambda response: "/organisationer/traffar" in response.url):
        page.get_by_label("Namn eller ord").press_sequentially("Pensionär", delay=30)
    page.get_by_role("heading", name="1 organisation hittades").wait_for()

    # One request per pause in typing, not one per key; the last asks for the whole word.
    assert 1 <= len(asked) < len("Pensionär")
    assert asked[-1].endswith("/organisationer/traffar?q=Pension%C3%A4r")
    context.close()


def test_search_as_you_type_page_is_accessible_after_an_update(page, site):
    page.goto(site + "/organisationer")
    page.get_by_label("Namn eller ord").press_sequentially("Exempel", delay=20)
    page.get_by_role("heading", name="3 organisationer hittades").wait_for()

    assert serious_accessibility_violations(page) == []
    screenshots(page, "organisations-live-search")


def test_search_form_works_without_javascript(browser, site):
    context = browser.new_context(java_script_enabled=False, locale="sv-SE")
    page = context.new_page()
    page.goto(site + "/organisationer")
    assert not page.get_by_text("Listan nedanför ändras medan du skriver.").is_visible()

    page.get_by_label("Namn eller ord").fill("Pensionär")
    page.get_by_role("button", name="Sök").click()

    assert page.get_by_role("heading", name="1 organisation hittades").is_visible()
    assert page.locator(".organisations a").all_inner_texts() == ["Pensionärsföreningen Exempel"]
    context.close()


def test_follow_up_charts_write_every_number_beside_its_bar_and_match_the_tables(page, site):
    page.goto(site + "/uppfoljning")

    chart = page.get_by_role("figure", name="Dialoger per nivå av delaktighet, som diagram")
    rows = [text.split("\n") for text in chart.locator("li").all_inner_texts()]
    assert [label for label, _value in rows] == ["Information", "Samråd", "Dialog", "Partnerskap"]
    table = page.get_by_role("table", name="Dialoger per nivå av delaktighet")
    for label, value in rows:
        assert table.get_by_role("row", name=label).get_by_role("cell").inner_text() == value
    assert sum(int(value) for _label, value in rows) > 0  # the demo's plans start this year

    steps = page.get_by_role("figure", name="Dialoger per steg i beslutsprocessen, som diagram")
    assert steps.locator("li").count() == 6
    assert steps.locator("svg[aria-hidden=true] rect").count() == 6
    early = page.get_by_role("figure", name="Andel dialoger som startade tidigt").inner_text()
    assert re.search(r"Startade tidigt\s+\d+ av \d+", early)
    forums = page.get_by_role("figure", name="Möten per forum, som diagram").inner_text()
    assert "Hållna möten" in forums or "Inget det här året." in forums
    assert page.get_by_role("link", name="Ladda ner siffrorna som CSV (för kalkylprogram)").is_visible()
    assert serious_accessibility_violations(page) == []
    screenshots(page, "follow-up-charts")


def test_pages_stay_usable_at_phone_width(browser, site):
    context = browser.new_context(viewport=VIEWPORTS["phone"], locale="sv-SE", bypass_csp=True)
    page = context.new_page()
    for path in ("/kalender?vy=manad&manad=2031-03", "/kalender?vy=vecka&vecka=2031-W12", "/uppfoljning"):
        page.goto(site + path)
        # Nothing wider than the screen: no sideways scrolling on a phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS["phone"]["width"]
        assert serious_accessibility_violations(page) == []
    context.close()


def test_the_meetings_api_takes_the_same_filters_and_names_a_bad_one(site, public):
    march = {"start": "2031-03-01", "end": "2031-03-31"}

    def found(**where: str) -> list[str]:
        response = public.get("/api/v1/meetings", params={**march, **where})
        assert response.status_code == 200, response.text
        return [item["title"] for item in response.json()]

    assert found(forum="ser", mode="online") == [ONLINE, HYBRID]
    assert found(municipality="1480") == [IN_GOTEBORG]
    assert found(level="information") == [AFTER_DST]
    hybrid = public.get("/api/v1/meetings", params={**march, "municipality": "1496"}).json()[0]
    assert (hybrid["location"], hybrid["municipality_code"], hybrid["online"]) == ("Stadshuset, Skövde", "1496", True)

    refused = public.get("/api/v1/meetings", params={**march, "mode": "telepathy"})
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "mode" in str(refused.json()["errors"])
