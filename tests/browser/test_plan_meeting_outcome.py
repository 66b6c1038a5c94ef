"""Boka möte and Resultat och återkoppling in Chromium over the running system: the demo planner books a meeting
with places from a plan, finds it on the plan page and in the calendar, records the outcome with the
organisations' proposals and gives feedback, which reaches the invited organisation's mailbox. axe-core checks
both forms, empty and with errors, at desktop width and at 375 px."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from tests.browser.conftest import SCREENSHOTS, check_both_widths, load_demo, log_in
from tests.support.http import Client
from tests.support.stack import Stack, mailing_to
from tests.support.waiting import wait_until

pytestmark = pytest.mark.e2e

ISSUE = "Ett kulturliv som alla kan ta del av"
TITLE = "Hearing om tillgängligt kulturliv"


@pytest.fixture(scope="module")
def stack(tmp_path_factory, smtp_server):
    """The whole system, its notifier sending to our SMTP server."""
    running = Stack.start(tmp_path_factory.mktemp("logs"), **mailing_to(smtp_server))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def demo(stack) -> dict[str, dict[str, str]]:
    return load_demo(stack)


@pytest.fixture(scope="module")
def plan(stack, demo) -> dict[str, str]:
    """A plan of Kulturnämnden inviting one organisation with a contact address, made through the API."""
    planner = Client(stack.url, demo["tokens"]["planner"])
    questionnaire = planner.get("/api/v1/advisor/questionnaire").json()
    answers = {q["id"]: q["options"][0]["id"] for q in questionnaire["questions"] if q["required"]}
    assessment = planner.post("/api/v1/advisor/assessments", json={"answers": answers})
    assert assessment.status_code == 201, assessment.text
    address = f"kansli.{uuid.uuid4().hex[:8]}@example.org"
    organisation = planner.post(
        "/api/v1/organisations",
        json={"name": "Föreningen Kultur för alla", "kind": "ideell_forening", "municipality_code": "1480",
              "contact_email": address},
    )  # fmt: skip
    assert organisation.status_code == 201, organisation.text
    made = planner.post(
        "/api/v1/advisor/plans",
        json={"assessment_id": assessment.json()["id"], "committee": "kun", "issue": ISSUE,
              "invited_organisation_ids": [organisation.json()["id"]]},
    )  # fmt: skip
    assert made.status_code == 201, made.text
    # Invited before any meeting is booked: the meeting booked below reaches the organisation on its own.
    invited = planner.post(
        f"/api/v1/advisor/plans/{made.json()['id']}/invitations", json={"organisation_ids": [organisation.json()["id"]]}
    )
    assert invited.status_code == 201, invited.text
    return {"id": made.json()["id"], "address": address}


def test_the_planner_books_a_meeting_records_the_outcome_and_the_feedback_reaches_the_organisation(
    page, stack, demo, plan, smtp_server
):
    log_in(page, stack, demo["planner"])
    page.goto(f"{stack.url}/planer/{plan['id']}")

    # Boka möte: the title comes from the issue, the level and step from the plan.
    page.get_by_role("link", name="Boka möte").click()
    assert page.get_by_role("heading", level=1).inner_text().endswith("Boka möte")
    assert page.get_by_label("Rubrik").input_value() == ISSUE
    check_both_widths(page, "plan-meeting-new")

    # Without a day, times or a place the page says so in Swedish and the links lead to the fields.
    page.get_by_role("button", name="Boka mötet").click()
    summary = page.get_by_role("alert")
    assert "Skriv vilken dag mötet är." in summary.inner_text()
    assert "Skriv var mötet är, eller en länk till mötet på nätet." in summary.inner_text()
    summary.get_by_role("link", name="Skriv när mötet börjar.").click()
    assert page.evaluate("document.activeElement.id") == "starts"
    check_both_widths(page, "plan-meeting-errors")

    day = date.today() + timedelta(days=21)
    page.get_by_label("Forum").select_option("ser")
    page.get_by_label("Rubrik").fill(TITLE)
    page.locator("#day").fill(day.isoformat())
    page.get_by_label("Börjar klockan").fill("13:00")
    page.get_by_label("Slutar klockan").fill("15:30")
    page.get_by_label("Plats", exact=True).fill("Regionens hus, Vänersborg")
    page.get_by_label("Antal platser (frivilligt)").fill("30")
    page.locator("#deadline_day").fill((day - timedelta(days=7)).isoformat())
    page.get_by_role("button", name="Boka mötet").click()

    assert page.url.startswith(f"{stack.url}/planer/{plan['id']}?"), page.get_by_role("main").inner_text()
    assert "Mötet är bokat." in page.get_by_role("status").inner_text()
    page.get_by_role("region", name="Möten").get_by_role("link", name=TITLE).click()
    assert TITLE in page.get_by_role("heading", level=1).inner_text()
    assert "30" in page.get_by_role("main").inner_text()

    # In the calendar, under the forum, at once.
    page.goto(f"{stack.url}/kalender?forum=ser&vy=manad&manad={day:%Y-%m}")
    assert TITLE in page.get_by_role("main").inner_text()

    # Resultat och återkoppling.
    page.goto(f"{stack.url}/planer/{plan['id']}")
    page.get_by_role("link", name="Skriv in resultatet och ge återkoppling").click()
    check_both_widths(page, "plan-outcome")
    page.locator("#proposal-1-text").fill("Ersättning för förlorad arbetstid")
    page.locator("#proposal-1-no").check()
    page.get_by_role("button", name="Spara och skicka återkopplingen").click()
    summary = page.get_by_role("alert")
    assert "Skriv vad som kom ut av dialogen." in summary.inner_text()
    assert "Skriv varför förslaget inte togs med." in summary.inner_text()
    assert "Skriv återkopplingen till organisationerna." in summary.inner_text()
    check_both_widths(page, "plan-outcome-errors")

    page.get_by_label("Vad dialogen ledde till").fill("Handlingsplanen fick ett avsnitt om tillgänglighet.")
    page.locator("#proposal-0-text").fill("Teckentolk på mötena")
    page.locator("#proposal-0-yes").check()
    page.locator("#proposal-1-reason").fill("Det finns ingen budget för det i år.")
    page.get_by_label("Återkopplingen").fill("Tack för era förslag. Så här tog vi hand om dem.")
    page.get_by_role("button", name="Spara och skicka återkopplingen").click()

    assert "Resultatet är sparat" in page.get_by_role("status").inner_text()
    outcome = page.get_by_role("region", name="Resultat och återkoppling").inner_text()
    assert "Teckentolk på mötena – togs med" in outcome
    assert "Ersättning för förlorad arbetstid – togs inte med: Det finns ingen budget för det i år." in outcome
    assert "till 1 organisation." in outcome
    page.screenshot(path=str(SCREENSHOTS / "plan-with-outcome-desktop.png"), full_page=True)

    # The organisation's mailbox: the invitation, the meeting booked after it (with its .ics), the feedback.
    subjects = {
        f"Inbjudan till dialog: {ISSUE}",
        f"Nytt möte i dialogen: {TITLE}",
        f"Återkoppling från dialogen: {ISSUE}",
    }
    mails = wait_until(
        lambda: [mail for mail in smtp_server.messages() if mail["To"] == plan["address"]],
        lambda found: {mail["Subject"] for mail in found} >= subjects,
        timeout=60,
    )
    assert sorted(mail["Subject"] for mail in mails) == sorted(subjects)
    [meeting_mail] = [mail for mail in mails if mail["Subject"] == f"Nytt möte i dialogen: {TITLE}"]
    assert any(part.get_content_type() == "text/calendar" for part in meeting_mail.walk())
    [feedback_mail] = [mail for mail in mails if mail["Subject"] == f"Återkoppling från dialogen: {ISSUE}"]
    text = feedback_mail.get_body(preferencelist=("plain",)).get_content()
    assert "Ersättning för förlorad arbetstid: togs inte med. Det finns ingen budget för det i år." in text
