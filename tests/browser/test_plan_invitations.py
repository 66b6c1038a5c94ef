"""Inviting organisations in Chromium over the running system, and answering from the mailed link.

The demo planner saves a plan, invites three suggested organisations and one found by searching the
directory; the invitation mail is read from the test SMTP server (the level said plainly, the .ics of the
booked meeting, the link); an organisation opens the link in a browser of its own and answers yes; the
planner sees "Ja" on the plan page. axe-core checks the invitation page and the answer page at desktop
width and at 375 px, and pictures of each go to var/screenshots/.
"""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest

from tests.browser.conftest import VIEWPORTS, check_both_widths, load_demo, log_in, mail_to
from tests.support.http import Client
from tests.support.stack import Stack, mailing_to
from tests.support.waiting import wait_until

pytestmark = pytest.mark.e2e

RUN = uuid.uuid4().hex[:6]
ISSUE = f"Kulturstrategi för Sjuhärad {RUN}"
BORAS = "1490"
# Three organisations in Borås that work with culture (the plan's municipality and area), and one elsewhere.
SUGGESTED = [
    (f"Borås konstförening {RUN}", f"konst-{RUN}@example.org"),
    (f"Teaterföreningen Rampljuset {RUN}", f"rampljuset-{RUN}@example.org"),
    (f"Musikföreningen Viskan {RUN}", f"viskan-{RUN}@example.org"),
]
FOUND = (f"Hembygdsföreningen Lysekil {RUN}", f"hembygd-{RUN}@example.org")


@pytest.fixture(scope="module")
def stack(tmp_path_factory, smtp_server):
    """The whole system, its notifier sending to our SMTP server."""
    running = Stack.start(tmp_path_factory.mktemp("logs"), **mailing_to(smtp_server))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def demo(stack) -> dict[str, dict[str, str]]:
    return load_demo(stack)


def register(api: Client, name: str, address: str, municipality: str, signed: bool = False) -> str:
    made = api.post(
        "/api/v1/organisations",
        json={"name": name, "kind": "ideell_forening", "municipality_code": municipality, "areas": ["culture"],
              "contact_email": address},
    )  # fmt: skip
    assert made.status_code == 201, made.text
    organisation_id = str(made.json()["id"])
    if signed:
        signature = api.post(f"/api/v1/organisations/{organisation_id}/signatures", json={"signed_on": "2024-05-01"})
        assert signature.status_code == 201, signature.text
    return organisation_id


def test_the_planner_invites_four_organisations_and_one_answers_yes_from_the_mailed_link(
    browser, page, stack, demo, smtp_server
):
    planner = Client(stack.url, demo["tokens"]["planner"])
    for number, (name, address) in enumerate(SUGGESTED):
        register(planner, name, address, BORAS, signed=number == 0)
    register(planner, *FOUND, "1484")
    questionnaire = planner.get("/api/v1/advisor/questionnaire").json()
    answers = {q["id"]: q["options"][0]["id"] for q in questionnaire["questions"] if q["required"]}
    assessment = planner.post("/api/v1/advisor/assessments", json={"answers": answers}).json()["id"]

    log_in(page, stack, demo["planner"])
    page.goto(f"{stack.url}/planera/forslag/{assessment}/spara")
    page.get_by_label("Nämnd").select_option(label="Kulturnämnden (KUN)")
    page.get_by_label("Fråga").fill(ISSUE)
    page.get_by_role("button", name="Spara planen").click()
    plan_id = page.url.split("/planer/", 1)[1].split("?", 1)[0]
    # The plan's area and municipality, and a booked meeting, through the API (other pages set them).
    changed = planner.patch(f"/api/v1/advisor/plans/{plan_id}", json={"areas": ["culture"], "municipalities": [BORAS]})
    assert changed.status_code == 200, changed.text
    starts = datetime.combine(date.today() + timedelta(days=30), datetime.min.time(), ZoneInfo("Europe/Stockholm"))
    booked = planner.post(
        f"/api/v1/advisor/plans/{plan_id}/meetings",
        json={"forum_slug": "ser", "title": f"Samråd om kulturstrategin {RUN}",
              "starts_at": starts.replace(hour=13).isoformat(), "ends_at": starts.replace(hour=15).isoformat(),
              "location": "Kulturhuset, Borås"},
    )  # fmt: skip
    assert booked.status_code == 201, booked.text

    # From the plan page to "Bjud in organisationer": the suggestions say why, the signatory first.
    page.goto(f"{stack.url}/planer/{plan_id}")
    page.get_by_role("link", name="Bjud in organisationer").click()
    assert page.get_by_role("heading", level=1).inner_text().endswith("Bjud in organisationer")
    suggestions = page.get_by_role("group", name="Välj vilka ni vill bjuda in").inner_text()
    first_name = SUGGESTED[0][0]
    assert suggestions.index(first_name) < suggestions.index(SUGGESTED[1][0])
    assert "Har undertecknat Överenskommelsen · verksam i Borås · intresserad av kultur" in suggestions
    assert "Verksam i Borås · intresserad av kultur" in suggestions
    check_both_widths(page, "plan-invite")
    for name, _address in SUGGESTED:
        page.get_by_label(name, exact=True).check()

    # A search in the directory keeps what is ticked and adds one more.
    page.get_by_label("Namn eller ord").fill(FOUND[0])
    page.get_by_role("button", name="Sök", exact=True).click()
    assert "1 organisation hittades" in page.locator("main").inner_text()
    assert all(page.get_by_label(name, exact=True).is_checked() for name, _ in SUGGESTED)
    page.get_by_label(FOUND[0], exact=True).check()
    check_both_widths(page, "plan-invite-search")
    page.get_by_role("button", name="Skicka inbjudningar").click()
    assert "4 inbjudningar är skickade." in page.get_by_role("status").inner_text()

    # The mail, as the organisation gets it.
    address = SUGGESTED[1][1]
    (mail,) = wait_until(lambda: mail_to(smtp_server, address), bool, timeout=60)
    assert wait_until(lambda: mail_to(smtp_server, FOUND[1]), bool, timeout=60)
    text = mail.get_body(preferencelist=("plain",)).get_content()
    assert ISSUE in mail["Subject"]
    assert re.search(r"Det här kan ni påverka: \S.+\.", text)
    assert [part for part in mail.walk() if part.get_content_type() == "text/calendar"]
    link = re.search(r"https://\S+/inbjudan/[A-Za-z0-9_-]+", text).group(0)

    # The organisation opens the link in a browser of its own, without logging in, and answers yes.
    context = browser.new_context(viewport=VIEWPORTS["desktop"], bypass_csp=True, locale="sv-SE")
    organisation = context.new_page()
    organisation.goto(stack.url + urlsplit(link).path)
    main = organisation.locator("main").inner_text()
    assert f"bjuder in {SUGGESTED[1][0]} till en dialog" in main
    assert f"Samråd om kulturstrategin {RUN}" in main
    check_both_widths(organisation, "invitation")
    organisation.get_by_role("button", name="Ja, vi kommer").click()
    assert "Tack! Ert svar är sparat: Ja, vi kommer." in organisation.get_by_role("status").inner_text()
    check_both_widths(organisation, "invitation-answered")
    context.close()

    # The planner sees the answer on the plan page.
    page.goto(f"{stack.url}/planer/{plan_id}")
    row = page.get_by_role("row", name=re.compile(re.escape(SUGGESTED[1][0])))
    assert row.get_by_role("cell").first.inner_text().splitlines()[0] == "Ja"
    others = page.get_by_role("row", name=re.compile(re.escape(FOUND[0]))).get_by_role("cell").first.inner_text()
    assert others == "Inget svar än"
    check_both_widths(page, "plan-page-invitations")
