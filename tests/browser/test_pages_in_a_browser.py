"""What a visitor sees and can do, in Chromium, with accessibility checked on every page."""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshots, serious_accessibility_violations

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
    https = page.locator(".subscribe code").first.inner_text()
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

    assert page.get_by_role("heading", name="RÖS-gruppen", level=2).is_visible()
    assert page.get_by_role("link", name="RÖS-gruppen: planering av verksamhetsåret").is_visible()
    assert serious_accessibility_violations(page) == []
    screenshots(page, "calendar")

    page.get_by_label("Forum").select_option("ser")
    page.get_by_role("button", name="Visa").click()
    assert page.get_by_role("heading", level=2).all_inner_texts() == ["Sociala ekonomins råd (SER)"]


def test_meeting_page_shows_swedish_time_and_how_to_subscribe(page, site):
    page.goto(site + "/kalender")
    page.get_by_role("link", name="RÖS-gruppen: planering av verksamhetsåret").click()

    assert page.get_by_role("heading", level=1).inner_text() == "RÖS-gruppen: planering av verksamhetsåret"
    assert "13:00" in page.locator(".facts").inner_text()
    assert "svensk tid" in page.locator(".facts").inner_text()
    assert page.get_by_role("link", name="Prenumerera i din kalender").get_attribute("href").startswith("webcal://")
    assert serious_accessibility_violations(page) == []
    screenshots(page, "meeting")
