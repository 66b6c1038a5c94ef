"""The directory, the advisor wizard and the follow-up in Chromium, with accessibility checked on every page."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.browser.conftest import check_both_widths, screenshots, serious_accessibility_violations

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def site(stack, planner):
    stack.cli("demo", "--tokens-file", str(stack.log_dir / "demo-tokens.json"))
    found = planner.get("/api/v1/organisations", params={"q": "Exempelföreningen för friluftsliv"}).json()
    organisation_id = found["items"][0]["id"]
    added = planner.post(
        f"/api/v1/organisations/{organisation_id}/memberships",
        json={"forum_slug": "ros-gruppen", "role": "chair", "starts_on": date.today().isoformat()},
    )
    assert added.status_code == 201, added.text
    return stack.url


def test_directory_searches_by_name_and_filters_without_javascript(browser, site):
    context = browser.new_context(java_script_enabled=False, bypass_csp=True, locale="sv-SE")
    page = context.new_page()
    page.goto(site + "/organisationer")

    assert page.get_by_role("heading", level=1).inner_text() == "Organisationer"
    assert page.get_by_role("heading", name="4 organisationer hittades").is_visible()
    page.get_by_label("Namn eller ord").fill("Exempelgården")
    page.get_by_role("button", name="Sök").click()
    assert page.get_by_role("heading", name="1 organisation hittades").is_visible()
    assert page.get_by_role("link", name="Stiftelsen Exempelgården").is_visible()

    page.get_by_label("Namn eller ord").fill("")
    page.get_by_label("Sorts organisation").select_option("ideell_forening")
    page.get_by_role("button", name="Sök").click()
    assert page.locator(".organisations a").all_inner_texts() == [
        "Exempelföreningen för friluftsliv",
        "Pensionärsföreningen Exempel",
    ]
    context.close()


def test_directory_is_accessible_and_a_bad_filter_is_summarised_with_a_link_to_its_field(page, site):
    page.goto(site + "/organisationer")
    assert serious_accessibility_violations(page) == []
    screenshots(page, "organisations")

    page.goto(site + "/organisationer?kind=bank")
    summary = page.get_by_role("alert")
    assert "Något behöver rättas" in summary.inner_text()
    summary.get_by_role("link", name="Välj en sorts organisation i listan.").click()
    assert page.evaluate("document.activeElement.id") == "kind"
    assert serious_accessibility_violations(page) == []
    screenshots(page, "organisations-error")


def test_organisation_page_shows_its_forums_and_their_upcoming_meetings(page, site):
    page.goto(site + "/organisationer")
    page.get_by_role("link", name="Exempelföreningen för friluftsliv").click()

    assert page.get_by_role("heading", level=1).inner_text() == "Exempelföreningen för friluftsliv"
    assert "RÖS-gruppen – Ordförande" in page.locator("#forums-title + ul").inner_text()
    assert page.get_by_role("link", name="RÖS-gruppen: planering av verksamhetsåret").is_visible()
    https = page.locator(".subscribe input").input_value()
    assert (
        page.get_by_role("link", name="Prenumerera i din kalender").get_attribute("href")
        == "webcal://" + https.split("://", 1)[1]
    )
    assert page.request.get(https).status == 200
    assert serious_accessibility_violations(page) == []
    screenshots(page, "organisation")


def _answer_and_go_on(page, option_label: str | None = None) -> None:
    """Answer every question on the page (the first choice of each, or the one named), then Nästa."""
    for fieldset in page.locator("fieldset.question").all():
        if not fieldset.locator("input[type=radio]:checked").count():
            fieldset.locator("input[type=radio]").first.check()
    if option_label:
        page.get_by_label(option_label, exact=True).check()
    page.locator("button[name=go][value=next]").click()


def test_advisor_wizard_keeps_answers_back_and_forth_and_shows_the_recommendation(page, site):
    page.goto(site + "/")
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Planera en dialog").click()
    assert serious_accessibility_violations(page) == []
    screenshots(page, "planning-start")
    page.get_by_role("link", name="Börja svara på frågorna").click()

    # A page of related questions: each its own fieldset and legend, under the page's heading.
    assert page.locator(".progress").inner_text() == "Planera en dialog: steg 1 av 4"
    assert page.get_by_role("heading", level=1).inner_text() == "Om beslutet"
    step = page.get_by_role("group", name="Vilket steg i beslutsprocessen är ni i nu?")
    assert step.get_by_label("Utformning – vi skriver ett förslag", exact=True).is_visible()
    assert page.locator("fieldset.question > legend").count() == 4
    check_both_widths(page, "planning-page")
    page.get_by_label("Utformning – vi skriver ett förslag", exact=True).check()
    page.locator("button[name=go][value=next]").click()
    alert = page.get_by_role("alert")
    assert alert.get_by_role("link", name="Svara på frågan: Är beslutet fortfarande öppet?").is_visible()
    assert "Vilket steg" not in alert.inner_text()
    assert page.locator("#error-decision_open").inner_text().endswith("Välj ett svar.")
    check_both_widths(page, "planning-page-error")
    alert.get_by_role("link", name="Svara på frågan: Är beslutet fortfarande öppet?").click()
    assert page.evaluate("document.activeElement.name") == "a_decision_open"

    _answer_and_go_on(page)
    assert page.locator(".progress").inner_text() == "Planera en dialog: steg 2 av 4"
    assert page.get_by_role("heading", level=1).inner_text() == "Om frågan och vilka som berörs"
    assert serious_accessibility_violations(page) == []
    screenshots(page, "planning-question")
    page.get_by_role("button", name="Tillbaka").click()
    assert page.get_by_label("Utformning – vi skriver ett förslag", exact=True).is_checked()
    page.locator("button[name=go][value=next]").click()
    while page.locator(".progress").count():
        _answer_and_go_on(page)

    assert page.get_by_role("heading", level=1).inner_text() == "Dina svar"
    assert "Utformning – vi skriver ett förslag" in page.locator(".answers").inner_text()
    # Ändra opens the page holding the question, and its next button returns to the summary.
    change = page.locator(".answers div", has_text="Kan regionen ersätta organisationerna för deras tid?")
    change.get_by_role("link", name="Ändra").click()
    assert page.locator(".progress").inner_text() == "Planera en dialog: steg 3 av 4"
    compensation = page.get_by_role("group", name="Kan regionen ersätta organisationerna för deras tid?")
    compensation.get_by_label("Nej", exact=True).check()
    page.locator("button[name=go][value=next]").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Dina svar"
    assert "Utformning – vi skriver ett förslag" in page.locator(".answers").inner_text()
    assert serious_accessibility_violations(page) == []
    screenshots(page, "planning-summary")
    page.get_by_role("button", name="Visa förslaget").click()

    assert page.get_by_role("heading", level=1).inner_text().startswith("Förslag: ")
    steps = page.locator(".steps li").all_inner_texts()
    assert len(steps) == 6
    assert "Dagordning" in steps[0]
    assert "Redan passerat" in steps[0]
    assert "Utformning" in steps[1]
    assert "Redan passerat" not in steps[1]
    assert page.locator(".checklist > li").count() == 6
    assert page.get_by_role("heading", name="Varför").is_visible()
    assert serious_accessibility_violations(page) == []
    screenshots(page, "planning-recommendation")
    page.emulate_media(media="print")
    assert not page.get_by_role("navigation", name="Huvudmeny").is_visible()
    page.screenshot(path=str(_print_path("planning-recommendation-print.png")), full_page=True)


def _print_path(name: str):
    from tests.browser.conftest import SCREENSHOTS

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / name


def test_follow_up_shows_the_year_as_tables_with_a_csv_download(page, site):
    year = date.today().year
    page.goto(site + "/")
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Uppföljning").click()

    assert page.get_by_role("heading", level=1).inner_text() == f"Uppföljning av dialogen {year}"
    assert page.get_by_role("table", name="Dialoger per nivå av delaktighet").is_visible()
    held = page.get_by_role("table", name=f"Möten per forum {year}").inner_text()
    assert "RÖS-gruppen" in held or "Inget det här året." in held
    # Each demo plan a row that opens it, under headings naming what is counted.
    rows = page.get_by_role("table", name=f"Dialoger som börjar {year}, en rad per dialog")
    headings = rows.get_by_role("columnheader").all_inner_texts()
    assert headings[4:] == [
        "Möten",
        "Organisationer",
        "Resultat registrerat",
        "Återkoppling given",
        "Bokade",
        "Hållna",
        "Inbjudna",
        "Deltog",
    ]
    assert rows.get_by_role("link").first.get_attribute("href").startswith("/planer/")
    assert serious_accessibility_violations(page) == []
    page.set_viewport_size({"width": 375, "height": 800})
    assert serious_accessibility_violations(page) == []
    # Nothing but the tables' own scrolling regions is wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(_print_path("follow-up-375.png")), full_page=True)
    screenshots(page, "follow-up")

    link = page.get_by_role("link", name="Ladda ner siffrorna som CSV (för kalkylprogram)")
    assert link.get_attribute("href") == f"/api/v1/reports/follow-up?year={year}&format=csv"
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == f"follow-up-{year}.csv"
    assert Path(download.value.path()).read_text(encoding="utf-8").splitlines()[0] == "year,section,key,value"

    page.get_by_label("År").fill("tjugo")
    page.get_by_role("button", name="Visa").click()
    page.get_by_role("alert").get_by_role("link").click()
    assert page.evaluate("document.activeElement.id") == "year"
    assert serious_accessibility_violations(page) == []
    screenshots(page, "follow-up-error")


def test_switching_language_in_the_wizard_keeps_the_answers(page, site):
    page.goto(site + "/planera/fraga?steg=1")
    _answer_and_go_on(page, "Beslut – förslaget är klart och ska beslutas")

    page.get_by_role("link", name="In English").click()
    assert page.locator(".progress").inner_text() == "Plan a dialogue: step 2 of 4"
    page.get_by_role("button", name="Back").click()
    assert page.get_by_label("Decision – the proposal is ready to be decided", exact=True).is_checked()
    page.get_by_role("link", name="På svenska").click()
    assert page.locator("html").get_attribute("lang") == "sv"
