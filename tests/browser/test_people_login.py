"""Logging in and out in Chromium: the demo planner, the error summary, and accessibility of the login page."""

from __future__ import annotations

import json

import pytest

from tests.browser.conftest import screenshots, serious_accessibility_violations

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def demo_people(stack) -> dict[str, dict[str, str]]:
    output = stack.cli("demo", "--tokens-file", str(stack.log_dir / "demo-tokens.json"))
    people: dict[str, dict[str, str]] = json.loads((stack.log_dir / "demo-users.json").read_text())
    assert set(people) == {"planner", "operator", "organisation"}
    # The demo prints each person's e-mail address and password, as it does the tokens.
    assert all(person["email"] in output and person["password"] in output for person in people.values())
    return people


def test_the_login_page_is_accessible_and_its_errors_link_to_the_fields(page, stack):
    page.goto(stack.url + "/kalender")
    page.get_by_role("banner").get_by_role("link", name="Logga in").click()

    assert page.get_by_role("heading", level=1).inner_text() == "Logga in"
    assert serious_accessibility_violations(page) == []
    screenshots(page, "login")

    page.get_by_role("button", name="Logga in").click()
    summary = page.get_by_role("alert")
    assert "Något behöver rättas" in summary.inner_text()
    summary.get_by_role("link", name="Skriv ditt lösenord.").click()
    assert page.evaluate("document.activeElement.id") == "password"
    assert page.get_by_label("Lösenord").get_attribute("aria-invalid") == "true"
    assert serious_accessibility_violations(page) == []
    screenshots(page, "login-error")


def test_the_demo_planner_logs_in_back_to_the_page_and_out_again(page, stack, demo_people):
    planner = demo_people["planner"]
    page.goto(stack.url + "/organisationer")
    page.get_by_role("banner").get_by_role("link", name="Logga in").click()

    page.get_by_label("E-postadress").fill(planner["email"])
    page.get_by_label("Lösenord").fill("inte det här")
    page.get_by_role("button", name="Logga in").click()
    assert "E-postadressen eller lösenordet är fel." in page.get_by_role("alert").inner_text()
    assert page.get_by_label("E-postadress").input_value() == planner["email"]
    assert page.get_by_label("Lösenord").input_value() == ""

    page.get_by_label("Lösenord").fill(planner["password"])
    page.get_by_role("button", name="Logga in").click()

    assert page.url == stack.url + "/organisationer"
    banner = page.get_by_role("banner")
    assert "Inloggad som Demo Planerare (BMR)" in banner.inner_text()
    assert serious_accessibility_violations(page) == []
    screenshots(page, "logged-in")

    banner.get_by_role("button", name="Logga ut").click()
    assert page.url == stack.url + "/"
    assert page.get_by_role("banner").get_by_role("link", name="Logga in").is_visible()
    assert "Inloggad som" not in page.get_by_role("banner").inner_text()


def test_a_logged_in_planner_saves_the_wizards_suggestion_as_a_plan(page, stack, demo_people):
    planner = demo_people["planner"]
    page.goto(stack.url + "/logga-in")
    page.get_by_label("E-postadress").fill(planner["email"])
    page.get_by_label("Lösenord").fill(planner["password"])
    page.get_by_role("button", name="Logga in").click()
    page.goto(stack.url + "/planera/fraga?steg=1")
    while page.locator(".progress").count():
        for fieldset in page.locator("fieldset.question").all():
            fieldset.locator("input[type=radio]").first.check()
        page.locator("button[name=go][value=next]").click()
    page.get_by_role("button", name="Visa förslaget").click()

    page.get_by_role("link", name="Spara som dialogplan").click()
    page.get_by_role("button", name="Spara planen").click()
    page.get_by_role("alert").get_by_role("link", name="Skriv vilken fråga dialogen handlar om.").click()
    assert page.evaluate("document.activeElement.id") == "issue"
    assert serious_accessibility_violations(page) == []
    screenshots(page, "plan-save-error")
    page.get_by_label("Nämnd").select_option("bmr")
    page.get_by_label("Fråga").fill("Handlingsplan för mänskliga rättigheter")
    page.get_by_role("button", name="Spara planen").click()

    # The plan's own page (tests/browser/test_plan_pages.py looks at it closely).
    assert "Planen är sparad." in page.get_by_role("status").inner_text()
    plan_id = page.url.split("/planer/", 1)[1].split("?", 1)[0]
    token = json.loads((stack.log_dir / "demo-tokens.json").read_text())["planner"]
    saved = page.request.get(
        f"{stack.url}/api/v1/advisor/plans/{plan_id}", headers={"Authorization": f"Bearer {token}"}
    )
    assert saved.status == 200
    assert (saved.json()["committee"], saved.json()["created_by"]) == ("BMR", "Demo Planerare (BMR)")


def test_too_many_failed_logins_and_a_form_without_its_token_are_readable_pages(page, stack, demo_people):
    operator = demo_people["operator"]
    for _ in range(6):  # RATE_LIMIT_LOGIN_ACCOUNT is 5 a minute
        page.goto(stack.url + "/logga-in")
        page.get_by_label("E-postadress").fill(operator["email"])
        page.get_by_label("Lösenord").fill("fel lösenord igen")
        page.get_by_role("button", name="Logga in").click()

    assert page.get_by_role("heading", level=1).count() == 1
    assert "Vänta" in page.locator("main").inner_text()
    assert serious_accessibility_violations(page) == []
    screenshots(page, "too-many")

    page.goto(stack.url + "/e-post")
    page.evaluate("document.querySelector('input[name=csrf_token]').remove()")
    page.get_by_role("button", name="Skicka en länk så att jag kan bekräfta").click()
    assert page.get_by_role("heading", level=1).count() == 1
    assert page.locator("html").get_attribute("lang") == "sv"
    assert serious_accessibility_violations(page) == []
    screenshots(page, "csrf-refused")
