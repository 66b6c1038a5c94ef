"""The planner's whole journey in Chromium over the running system, as a first-time planner walks it.

The demo planner logs in, answers the questionnaire, reads the suggestion, saves it as a dialogue plan of
Kulturnämnden, invites three suggested organisations and one found by searching the directory, and books a
meeting with places. The pages loaded from the login to that point are counted (every navigation of the main
frame: a link followed, an address typed or a form sent) and must stay at most 25; the count is printed and
written to var/planner-journey.json. The meeting is then in the calendar and in the forum's feed (the address
the subscribe panel shows, parsed as iCalendar). One invited organisation answers yes from the link in its mail,
read from the test SMTP server; the planner records the outcome and the feedback, which reaches every invited
organisation's mailbox; Uppföljning lists the dialogue with its outcome and feedback counted.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from icalendar import Calendar

from tests.browser.conftest import VIEWPORTS, fill_in_login, load_demo, mail_to
from tests.support.http import Client
from tests.support.stack import Stack, mailing_to
from tests.support.waiting import wait_until

pytestmark = pytest.mark.e2e

RUN = uuid.uuid4().hex[:6]
ISSUE = f"Ett rikare kulturliv i Sjuhärad {RUN}"
TITLE = f"Dialogmöte om kulturlivet {RUN}"
# Signatories of Överenskommelsen: what the directory suggests for a plan that names no areas or municipalities.
SUGGESTED = [
    (f"Konstföreningen Ateljén {RUN}", f"atejlen-{RUN}@example.org"),
    (f"Körföreningen Stämman {RUN}", f"stamman-{RUN}@example.org"),
    (f"Studieförbundet Bildningen {RUN}", f"bildningen-{RUN}@example.org"),
]
FOUND = (f"Hembygdsföreningen Lysekil {RUN}", f"hembygd-{RUN}@example.org")
# Issue 14 aims at 25 pages at most from the login to the booked meeting with invitations sent. The walk is
# 15: login 2 (the form, then back to Planera en dialog), the questionnaire 6 (its 16 questions on 4 pages of
# related questions, the summary, the suggestion), the plan 7 (save form, plan page, invite page, search,
# plan page, booking form, plan page). It was 27 with one question a page.
MOST_PAGES = 15
RECORD = Path(__file__).parents[2] / "var" / "planner-journey.json"


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
def directory(stack, demo) -> None:
    """The organisations the planner will find: three signatories (suggested) and one other (searched for)."""
    operator = Client(stack.url, demo["tokens"]["operator"])
    for name, address in [*SUGGESTED, FOUND]:
        made = operator.post(
            "/api/v1/organisations",
            json={"name": name, "kind": "ideell_forening", "municipality_code": "1490", "areas": ["culture"],
                  "contact_email": address},
        )  # fmt: skip
        assert made.status_code == 201, made.text
        if (name, address) != FOUND:
            signatures = f"/api/v1/organisations/{made.json()['id']}/signatures"
            signed = operator.post(signatures, json={"signed_on": "2024-05-01"})
            assert signed.status_code == 201, signed.text


def test_a_first_time_planner_walks_from_the_questions_to_feedback_and_follow_up(
    browser, page, stack, demo, directory, smtp_server
):
    pages: list[str] = []
    sent: list[str] = []

    def loaded(frame) -> None:
        if frame == page.main_frame:
            pages.append(frame.url)

    def send(button) -> None:
        """Press a form's button: one form sent, and the page it leads to is one page loaded."""
        sent.append(page.url)
        button.click()

    # A first-time planner opens Planera en dialog and logs in from there; counting starts with the login page.
    page.goto(stack.url + "/")
    page.get_by_role("banner").get_by_role("link", name="Planera en dialog", exact=True).click()
    page.on("framenavigated", loaded)
    page.get_by_role("banner").get_by_role("link", name="Logga in").click()
    sent.append(page.url)  # the login form, which fill_in_login sends
    fill_in_login(page, demo["planner"])
    assert page.url == stack.url + "/planera"

    # The start page, each question, the summary, the suggestion.
    page.get_by_role("link", name="Börja svara på frågorna").click()
    while page.locator(".progress").count():
        for fieldset in page.locator("fieldset.question").all():
            fieldset.locator("input[type=radio]").first.check()
        send(page.locator("button[name=go][value=next]"))
    send(page.get_by_role("button", name="Visa förslaget"))
    suggestion = page.get_by_role("main").inner_text()
    assert page.get_by_role("heading", level=1).count() == 1
    assert any(level in suggestion for level in ("Information", "Konsultation", "Dialog", "Inflytande")), suggestion

    # Spara som dialogplan, choosing the committee from the list.
    page.get_by_role("link", name="Spara som dialogplan").click()
    page.get_by_label("Nämnd").select_option(label="Kulturnämnden (KUN)")
    page.get_by_label("Fråga").fill(ISSUE)
    send(page.get_by_role("button", name="Spara planen"))
    assert "Planen är sparad." in page.get_by_role("status").inner_text()
    plan_url = page.url.split("?", 1)[0]

    # Bjud in organisationer: three suggestions ticked, one more found by searching, then sent.
    page.get_by_role("link", name="Bjud in organisationer").click()
    suggestions = page.get_by_role("group", name="Välj vilka ni vill bjuda in")
    for name, _address in SUGGESTED:
        assert "Har undertecknat Överenskommelsen" in suggestions.locator("li", has_text=name).inner_text()
        page.get_by_label(name, exact=True).check()
    page.get_by_label("Namn eller ord").fill(FOUND[0])
    send(page.get_by_role("button", name="Sök", exact=True))
    assert "1 organisation hittades" in page.locator("main").inner_text()
    page.get_by_label(FOUND[0], exact=True).check()
    send(page.get_by_role("button", name="Skicka inbjudningar"))
    assert "4 inbjudningar är skickade." in page.get_by_role("status").inner_text()

    # Boka möte with places, from the plan page.
    if not page.url.startswith(plan_url):
        page.get_by_role("link", name="Tillbaka till planen").click()
    page.get_by_role("link", name="Boka möte").click()
    assert page.get_by_label("Rubrik").input_value() == ISSUE
    day = date.today() + timedelta(days=14)
    page.get_by_label("Forum").select_option("ser")
    page.get_by_label("Rubrik").fill(TITLE)
    page.locator("#day").fill(day.isoformat())
    page.get_by_label("Börjar klockan").fill("13:00")
    page.get_by_label("Slutar klockan").fill("15:30")
    page.get_by_label("Plats", exact=True).fill("Kulturhuset, Borås")
    page.get_by_label("Antal platser (frivilligt)").fill("30")
    page.locator("#deadline_day").fill((day - timedelta(days=3)).isoformat())
    send(page.get_by_role("button", name="Boka mötet"))
    assert "Mötet är bokat." in page.get_by_role("status").inner_text()

    page.remove_listener("framenavigated", loaded)
    count = {"pages_loaded": len(pages), "forms_sent": len(sent), "most_pages": MOST_PAGES, "pages": pages}
    RECORD.parent.mkdir(parents=True, exist_ok=True)
    RECORD.write_text(json.dumps(count, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nplanner journey, login to booked meeting with invitations sent: {len(pages)} pages loaded, "
          f"{len(sent)} of them after a form was sent")  # fmt: skip
    assert len(pages) <= MOST_PAGES, pages

    # The meeting on the plan page, with its places.
    meeting_link = page.get_by_role("region", name="Möten").get_by_role("link", name=TITLE)
    meeting_id = meeting_link.get_attribute("href").rstrip("/").rsplit("/", 1)[1]
    meeting_link.click()
    assert "30" in page.get_by_role("main").inner_text()

    # In the calendar, under the forum, and in the feed whose address the subscribe panel shows.
    page.goto(f"{stack.url}/kalender?forum=ser&vy=manad&manad={day:%Y-%m}")
    assert TITLE in page.get_by_role("main").inner_text()
    address = page.get_by_label("Eller kopiera den här adressen till din kalender:").input_value()
    feed_path = urlsplit(address).path
    assert feed_path.endswith("/feeds/forums/ser.ics"), address
    feed = page.request.get(stack.url + feed_path)
    assert feed.status == 200
    events = {str(event["UID"]): str(event["SUMMARY"]) for event in Calendar.from_ical(feed.body()).walk("VEVENT")}
    assert [summary for uid, summary in events.items() if uid.startswith(f"{meeting_id}@")] == [TITLE], events

    # One invited organisation answers yes from the link in its invitation mail, in a browser of its own.
    answering_name, answering_address = SUGGESTED[1]
    invitation = wait_until(
        lambda: [m for m in mail_to(smtp_server, answering_address) if m["Subject"].startswith("Inbjudan till dialog")],
        bool,
        timeout=60,
    )[0]
    text = invitation.get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"https?://\S+/inbjudan/[A-Za-z0-9_-]+", text).group(0)
    context = browser.new_context(viewport=VIEWPORTS["desktop"], bypass_csp=True, locale="sv-SE")
    organisation = context.new_page()
    organisation.goto(stack.url + urlsplit(link).path)
    assert f"bjuder in {answering_name} till en dialog" in organisation.locator("main").inner_text()
    organisation.get_by_role("button", name="Ja, vi kommer").click()
    assert "Tack! Ert svar är sparat: Ja, vi kommer." in organisation.get_by_role("status").inner_text()
    context.close()

    # The planner sees the answer, records the outcome and gives feedback.
    page.goto(plan_url)
    row = page.get_by_role("row", name=re.compile(re.escape(answering_name)))
    assert row.get_by_role("cell").first.inner_text().splitlines()[0] == "Ja"
    page.get_by_role("link", name="Skriv in resultatet och ge återkoppling").click()
    page.get_by_label("Vad dialogen ledde till").fill("Kulturstrategin fick ett avsnitt om föreningarnas lokaler.")
    page.locator("#proposal-0-text").fill("Fler öppna repetitionslokaler")
    page.locator("#proposal-0-yes").check()
    page.get_by_label("Återkopplingen").fill("Tack för era förslag. Så här tog vi hand om dem.")
    page.get_by_role("button", name="Spara och skicka återkopplingen").click()
    assert "Resultatet är sparat" in page.get_by_role("status").inner_text()
    assert "till 4 organisationer." in page.get_by_role("region", name="Resultat och återkoppling").inner_text()

    # The feedback reaches every invited organisation.
    subject = f"Återkoppling från dialogen: {ISSUE}"
    for _name, invited_address in [*SUGGESTED, FOUND]:
        (feedback,) = wait_until(
            lambda invited_address=invited_address: [
                m for m in mail_to(smtp_server, invited_address) if m["Subject"] == subject
            ],
            bool,
            timeout=60,
        )
        assert "Fler öppna repetitionslokaler" in feedback.get_body(preferencelist=("plain",)).get_content()

    # Uppföljning: the dialogue with its committee, four invited, outcome recorded and feedback given.
    page.get_by_role("banner").get_by_role("link", name="Uppföljning", exact=True).click()
    row = page.locator("#dialogue-rows tbody tr", has=page.get_by_role("link", name=ISSUE))
    cells = [cell.strip() for cell in row.locator("td").all_inner_texts()]
    assert cells[0].startswith("Kulturnämnden"), cells
    # Booked 1, held 0 (the meeting is still to come), invited 4, took part 0, outcome yes, feedback yes (today).
    assert (cells[3], cells[4], cells[5], cells[6], cells[7], cells[8]) == ("1", "0", "4", "0", "Ja", "Ja"), cells
    row.get_by_role("link", name=ISSUE).click()
    assert page.url.split("?", 1)[0] == plan_url
