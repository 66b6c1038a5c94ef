"""Mina sidor in Chromium over the running system: the demo representative sees a registration, changes how
often e-mail comes, makes a new secret calendar link (the old one stops working) and cancels."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pytest
from icalendar import Calendar

from tests.browser.conftest import screenshots, serious_accessibility_violations
from tests.support import secrets_seen
from tests.support.http import Client

pytestmark = pytest.mark.e2e

STORMOTE = "Stormöte: överenskommelsen i praktiken"


@pytest.fixture(scope="module")
def demo(stack) -> dict[str, dict[str, str]]:
    stack.cli("demo", "--tokens-file", str(stack.log_dir / "demo-tokens.json"))
    people: dict[str, dict[str, str]] = json.loads((stack.log_dir / "demo-users.json").read_text())
    tokens = json.loads((stack.log_dir / "demo-tokens.json").read_text())
    return {**people, "tokens": tokens}


@pytest.fixture(scope="module")
def registered(stack, demo) -> dict[str, str]:
    """The representative's organisation registers her for the demo's stormöte, through the API."""
    organisation = Client(stack.url, demo["tokens"]["organisation"])
    today = date.today()
    meetings = organisation.get(
        "/api/v1/meetings", params={"start": today.isoformat(), "end": (today + timedelta(days=120)).isoformat()}
    ).json()
    [meeting] = [found for found in meetings if found["title"] == STORMOTE]
    answer = organisation.post(
        f"/api/v1/meetings/{meeting['meeting_id']}/registrations",
        json={"attendee_name": "Anna Exempel", "attendee_email": demo["organisation"]["email"]},
    )
    assert answer.status_code == 201, answer.text
    return answer.json()


def log_in(page, stack, person: dict[str, str]) -> None:
    page.goto(stack.url + "/mina-sidor")
    # Not logged in: the login page, which brings the person back.
    assert page.url == stack.url + "/logga-in?next=/mina-sidor"
    page.get_by_label("E-postadress").fill(person["email"])
    page.get_by_label("Lösenord").fill(person["password"])
    page.get_by_role("button", name="Logga in").click()
    assert page.url == stack.url + "/mina-sidor"


def new_link(page) -> str:
    """Press "Skapa ny länk" and read the https link the page shows this once."""
    page.get_by_role("button", name="Skapa ny länk").click()
    section = page.locator("section", has=page.get_by_role("heading", name="Personlig kalenderlänk"))
    https = section.locator("input[readonly]").input_value()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/feeds/personal/[A-Za-z0-9_-]{43}\.ics", https), https
    assert section.get_by_role("link", name="Prenumerera i din kalender").get_attribute("href") == (
        "webcal://" + https.split("://", 1)[1]
    )
    secrets_seen.remember(https.rsplit("/", 1)[1].removesuffix(".ics"))
    return https


def test_the_representative_sees_the_registration_keeps_a_new_rhythm_and_replaces_the_feed_link(
    page, stack, demo, registered
):
    representative = demo["organisation"]
    log_in(page, stack, representative)
    assert page.get_by_role("heading", level=1).inner_text() == "Mina sidor"
    assert page.get_by_role("banner").get_by_role("link", name="Mina sidor").get_attribute("aria-current") == "page"

    row = page.get_by_role("list", name="Anmälningar").get_by_role("listitem").filter(has_text=STORMOTE)
    assert "Anna Exempel: Har en plats" in row.inner_text()
    assert page.get_by_text("Du har ingen länk ännu.").is_visible()
    assert serious_accessibility_violations(page) == []
    screenshots(page, "my-pages")

    # E-mail: SER, once a week; the choice is kept and the API shows the same subscription.
    page.get_by_label("Sociala ekonomins råd (SER)").check()
    page.get_by_label("En gång i veckan, en sammanfattning").check()
    page.get_by_role("button", name="Spara mina val").click()
    assert "Dina val för mejl är sparade." in page.get_by_role("status").inner_text()
    page.reload()
    assert page.get_by_label("En gång i veckan, en sammanfattning").is_checked()
    assert page.get_by_label("Sociala ekonomins råd (SER)").is_checked()
    followed_now = page.get_by_role("list", name="Det här bevakar din organisation nu:").inner_text()
    assert "Sociala ekonomins råd (SER)" in followed_now
    assert "En gång i veckan" in followed_now
    followed = Client(stack.url, demo["tokens"]["organisation"]).get("/api/v1/subscriptions").json()["items"]
    assert [(item["forum_slug"], item["rhythm"], item["address"]) for item in followed] == [
        ("ser", "weekly", representative["email"])
    ]

    # A wrong address is named in the summary, which links to the field.
    page.get_by_label("E-postadress").fill("inte en adress")
    page.get_by_role("button", name="Spara mina val").click()
    page.get_by_role("alert").get_by_role("link", name="Skriv din e-postadress, till exempel namn@example.org.").click()
    assert page.evaluate("document.activeElement.id") == "address"
    assert serious_accessibility_violations(page) == []
    screenshots(page, "my-pages-error")

    # The secret calendar link: shown once; a new one stops the old one at once.
    feeds = Client(stack.url, None)
    first = new_link(page)
    # The notice, beside the copy button's own (empty) status region.
    assert page.get_by_role("status").filter(has_text="Den gamla länken har slutat fungera").count() == 1
    assert serious_accessibility_violations(page) == []
    screenshots(page, "my-pages-new-link")
    served = feeds.get(first.removeprefix(stack.url))
    assert served.status_code == 200
    assert served.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert [str(event["SUMMARY"]) for event in Calendar.from_ical(served.content).walk("VEVENT")] == [STORMOTE]

    second = new_link(page)
    assert second != first
    assert feeds.get(first.removeprefix(stack.url)).status_code == 404
    again = feeds.get(second.removeprefix(stack.url))
    assert again.status_code == 200
    assert again.headers["Content-Type"] == "text/calendar; charset=utf-8"

    # Afterwards the page can only say that a link exists.
    page.goto(stack.url + "/mina-sidor")
    assert second not in page.content()
    assert page.get_by_text(re.compile(r"Du har en länk, skapad ")).is_visible()

    # Cancelling the registration: it leaves the list, and the API agrees.
    row = page.get_by_role("list", name="Anmälningar").get_by_role("listitem").filter(has_text=STORMOTE)
    row.get_by_role("button", name=re.compile("^Avboka")).click()
    assert page.get_by_role("status").filter(has_text="Anmälan är avbokad.").count() == 1
    assert page.get_by_text("Din organisation har inga anmälningar till kommande möten.").is_visible()
    screenshots(page, "my-pages-cancelled")
    mine = Client(stack.url, demo["tokens"]["organisation"]).get(
        f"/api/v1/meetings/{registered['meeting_id']}/registrations"
    )
    assert [item["status"] for item in mine.json() if item["id"] == registered["id"]] == ["cancelled"]
