"""Finding a meeting and registering, and editing an organisation, in Chromium with axe-core on each state."""

from __future__ import annotations

import json

import pytest

from tests.browser.conftest import screenshots, serious_accessibility_violations
from tests.support import secrets_seen

pytestmark = pytest.mark.e2e

ATTENDEE = ("Eva Exempel", "eva.exempel@friluft.example.org")
MEETING = "SER: idéburet offentligt partnerskap"  # a demo meeting with 25 places
ORGANISATION = "Exempelföreningen för friluftsliv"  # the demo representative's organisation


@pytest.fixture(scope="module")
def demo(stack) -> dict[str, dict[str, str]]:
    stack.cli("demo", "--tokens-file", str(stack.log_dir / "demo-tokens.json"))
    people: dict[str, dict[str, str]] = json.loads((stack.log_dir / "demo-users.json").read_text())
    return people


def log_in_on_the_page(page, person: dict[str, str]) -> None:
    page.get_by_label("E-postadress").fill(person["email"])
    page.get_by_label("Lösenord").fill(person["password"])
    page.get_by_role("button", name="Logga in").click()


def test_finding_a_meeting_in_the_calendar_logging_in_and_registering(page, stack, demo):
    # The person registered through the form: no log may name them.
    secrets_seen.remember(ATTENDEE[0], "name")
    secrets_seen.remember(ATTENDEE[1], "e-mail")
    page.goto(stack.url + "/kalender")
    page.get_by_role("link", name=MEETING).click()

    assert page.get_by_role("heading", level=1).inner_text() == MEETING
    assert page.locator("#places").inner_text() == "25 platser kvar av 25"
    assert page.locator("form.edit").count() == 0
    assert serious_accessibility_violations(page) == []
    screenshots(page, "meeting-logged-out")
    meeting_url = page.url

    page.get_by_role("link", name="Logga in för att anmäla").click()
    log_in_on_the_page(page, demo["organisation"])
    assert page.url == meeting_url
    assert serious_accessibility_violations(page) == []
    screenshots(page, "meeting-register-form")

    page.get_by_label("Namn", exact=True).fill("")  # filled in with the representative's own name
    page.get_by_label("E-postadress").fill("eva")
    page.get_by_role("button", name="Anmäl", exact=True).click()
    summary = page.get_by_role("alert")
    assert "Skriv en e-postadress som namn@example.org." in summary.inner_text()
    summary.get_by_role("link", name="Skriv namnet på den som ska komma.").click()
    assert page.evaluate("document.activeElement.id") == "attendee_name"
    assert page.get_by_label("Namn", exact=True).get_attribute("aria-invalid") == "true"
    assert serious_accessibility_violations(page) == []
    screenshots(page, "meeting-register-error")

    page.get_by_label("Namn", exact=True).fill(ATTENDEE[0])
    page.get_by_label("E-postadress").fill(ATTENDEE[1])
    page.get_by_label("Mat och allergier (frivilligt)").fill("Vegetariskt")
    page.get_by_role("button", name="Anmäl", exact=True).click()

    assert page.get_by_role("heading", level=1).inner_text() == "Du har en plats"
    assert page.locator("#places").inner_text() == "24 platser kvar av 25"
    assert f"{ATTENDEE[0]} ({ATTENDEE[1]})" in page.locator("main").inner_text()
    assert serious_accessibility_violations(page) == []
    screenshots(page, "meeting-registered")

    page.get_by_role("link", name="Tillbaka till mötet").click()
    assert page.locator("#places").inner_text() == "24 platser kvar av 25"


def test_the_representative_edits_the_organisation_and_sees_the_change(page, stack, demo):
    page.goto(stack.url + "/organisationer")
    page.get_by_role("link", name=ORGANISATION).first.click()
    assert page.get_by_role("link", name="Redigera organisation").count() == 0
    organisation_url = page.url

    page.goto(stack.url + "/logga-in?next=" + organisation_url.removeprefix(stack.url))
    log_in_on_the_page(page, demo["organisation"])
    page.get_by_role("link", name="Redigera organisation").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Redigera organisation"
    assert serious_accessibility_violations(page) == []
    screenshots(page, "organisation-edit")

    page.get_by_label("Om organisationen (frivilligt)").fill("Vi ordnar vandringar i hela Västra Götaland.")
    page.get_by_label("Webbplats (frivilligt)").fill("friluft")
    page.get_by_role("button", name="Spara ändringarna").click()
    summary = page.get_by_role("alert")
    summary.get_by_role("link", name="Skriv webbplatsens hela adress", exact=False).click()
    assert page.evaluate("document.activeElement.id") == "website"
    assert page.get_by_label("Om organisationen (frivilligt)").input_value().startswith("Vi ordnar vandringar")
    assert serious_accessibility_violations(page) == []
    screenshots(page, "organisation-edit-error")

    page.get_by_label("Webbplats (frivilligt)").fill("https://friluft.example.org")
    page.get_by_label("Kultur").check()
    page.get_by_role("button", name="Spara ändringarna").click()

    assert page.url == organisation_url + "?sparad=1"
    main = page.locator("main").inner_text()
    assert "Ändringarna är sparade." in main
    assert "Vi ordnar vandringar i hela Västra Götaland." in main
    assert page.get_by_role("link", name="https://friluft.example.org").is_visible()
    assert serious_accessibility_violations(page) == []
    screenshots(page, "organisation-saved")


def test_a_change_made_meanwhile_shows_the_fresh_values(page, stack, demo):
    page.goto(stack.url + "/logga-in")
    log_in_on_the_page(page, demo["organisation"])
    page.goto(stack.url + "/organisationer")
    page.get_by_role("link", name=ORGANISATION).first.click()
    page.get_by_role("link", name="Redigera organisation").click()
    api = (
        page.url.removeprefix(stack.url).replace("/organisationer/", "/api/v1/organisations/").removesuffix("/redigera")
    )

    # Someone else (the organisation's API token) changes the name while the form is open.
    token = json.loads((stack.log_dir / "demo-tokens.json").read_text())["organisation"]
    headers = {"Authorization": f"Bearer {token}"}
    version = page.request.get(stack.url + api).json()["version"]
    changed = page.request.patch(stack.url + api, data={"version": version, "tags": ["vandring"]}, headers=headers)
    assert changed.status == 200

    page.get_by_label("Andra namn (frivilligt)").fill("Friluft")
    page.get_by_role("button", name="Spara ändringarna").click()

    assert "Någon annan har ändrat uppgifterna under tiden" in page.get_by_role("alert").first.inner_text()
    assert page.get_by_label("Taggar (frivilligt)").input_value() == "vandring"
    assert page.get_by_label("Andra namn (frivilligt)").input_value() == ""
    assert serious_accessibility_violations(page) == []
    screenshots(page, "organisation-edit-conflict")


def test_a_cancelled_meeting_says_why_there_is_no_form(page, stack, demo):
    page.goto(stack.url + "/logga-in")
    log_in_on_the_page(page, demo["organisation"])
    page.goto(stack.url + "/kalender")
    page.get_by_role("link", name="Stormöte: överenskommelsen i praktiken").click()
    assert page.get_by_role("button", name="Anmäl", exact=True).is_visible()
    meeting_id = page.url.rsplit("/", 1)[1]

    token = json.loads((stack.log_dir / "demo-tokens.json").read_text())["planner"]
    cancelled = page.request.post(
        f"{stack.url}/api/v1/meetings/{meeting_id}/cancel", data={}, headers={"Authorization": f"Bearer {token}"}
    )
    assert cancelled.status == 200
    page.reload()

    assert "Mötet är inställt, så det går inte att anmäla sig." in page.locator("main").inner_text()
    assert page.get_by_role("button", name="Anmäl", exact=True).count() == 0
    assert serious_accessibility_violations(page) == []
    screenshots(page, "meeting-cancelled")


def test_another_organisations_form_is_a_readable_403_page(page, stack, demo):
    page.goto(stack.url + "/organisationer")
    page.get_by_role("link", name="Stiftelsen Exempelgården").first.click()
    other = page.url
    page.goto(stack.url + "/logga-in")
    log_in_on_the_page(page, demo["organisation"])

    page.goto(other)
    assert page.get_by_role("link", name="Redigera organisation").count() == 0
    answer = page.goto(other + "/redigera")

    assert answer is not None
    assert answer.status == 403
    assert page.get_by_role("heading", level=1).inner_text() == "Du får inte göra det här"
    assert serious_accessibility_violations(page) == []
    screenshots(page, "organisation-edit-forbidden")
