"""What a visitor sees and can do, in Chromium, with accessibility checked on every page."""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshots, serious_accessibility_violations
from tests.support import secrets_seen

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def site(stack):
    stack.cli("demo", "--tokens-file", str(stack.log_dir / "demo-tokens.json"))
    return stack.url


def test_home_page_is_swedish_and_accessible(page, site):
    page.goto(site + "/")

    assert page.locator("html").get_attribute("lang") == "sv"
    assert page.get_by_role("heading", level=1).inner_text() == "Dialog mellan regionen och det civila samhället"
    assert serious_accessibility_violations(page) == []
    screenshots(page, "home")


def test_switching_to_english_and_back(page, site):
    page.goto(site + "/")

    page.get_by_role("link", name="In English").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Dialogue between the region and civil society"
    page.get_by_role("link", name="På svenska").click()
    assert page.locator("html").get_attribute("lang") == "sv"


def test_subscribe_link_is_webcal_and_the_https_address_serves_the_feed(page, site):
    page.goto(site + "/")

    webcal = page.get_by_role("link", name="Prenumerera i din kalender").first.get_attribute("href")
    https = page.locator(".subscribe input").first.input_value()
    assert webcal == "webcal://" + https.split("://", 1)[1]
    response = page.request.get(https)
    assert response.status == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"


def test_api_documentation_is_accessible(page, site):
    page.goto(site + "/api/docs")

    assert page.get_by_role("heading", level=1).count() == 1
    assert serious_accessibility_violations(page) == []


def test_calendar_lists_upcoming_meetings_by_forum_and_filters(page, site):
    page.goto(site + "/kalender")

    assert page.locator(".meeting-forum", has_text="RÖS-gruppen").first.is_visible()
    assert page.get_by_role("link", name="RÖS-gruppen: planering av verksamhetsåret").is_visible()
    assert serious_accessibility_violations(page) == []
    screenshots(page, "calendar")

    page.get_by_label("Forum").select_option("ser")
    page.get_by_role("button", name="Visa").click()
    assert set(page.locator(".meeting-forum").all_inner_texts()) == {"Sociala ekonomins råd (SER)"}


def test_meeting_page_shows_swedish_time_and_how_to_subscribe(page, site):
    page.goto(site + "/kalender")
    page.get_by_role("link", name="RÖS-gruppen: planering av verksamhetsåret").click()

    assert page.get_by_role("heading", level=1).inner_text() == "RÖS-gruppen: planering av verksamhetsåret"
    assert "13:00" in page.locator(".facts").inner_text()
    assert "svensk tid" in page.locator(".facts").inner_text()
    assert page.get_by_role("link", name="Prenumerera i din kalender").get_attribute("href").startswith("webcal://")
    assert serious_accessibility_violations(page) == []
    screenshots(page, "meeting")


def test_asking_for_e_mail_about_meetings_summarises_errors_and_says_look_in_the_inbox(page, site):
    page.goto(site + "/kalender?forum=ros-gruppen")
    page.get_by_role("link", name="Få e-post om nya möten").first.click()
    assert page.get_by_role("heading", level=1).inner_text() == "Få e-post om nya möten"
    assert page.locator("fieldset#forum_slugs input:checked").count() == 1  # the forum it came from
    assert serious_accessibility_violations(page) == []
    screenshots(page, "email-updates")

    page.get_by_role("button", name="Skicka en länk så att jag kan bekräfta").click()
    summary = page.get_by_role("alert")
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "address"
    assert serious_accessibility_violations(page) == []
    screenshots(page, "email-updates-error")

    secrets_seen.remember("besokare@example.org", "e-mail")  # must never reach a log
    page.get_by_label("E-postadress").fill("besokare@example.org")
    page.get_by_role("button", name="Skicka en länk så att jag kan bekräfta").click()
    assert page.get_by_role("status").get_by_role("heading").inner_text() == "Titta i din inkorg"
    assert serious_accessibility_violations(page) == []


@pytest.mark.parametrize("path", ["/bekrafta/", "/unsubscribe/"])
def test_a_link_from_an_e_mail_that_finds_nothing_is_a_readable_page(page, site, path):
    response = page.goto(site + path + "x" * 32)

    assert response.status == 404
    assert page.locator("html").get_attribute("lang") == "sv"
    assert page.get_by_role("heading", level=1).count() == 1
    assert serious_accessibility_violations(page) == []
