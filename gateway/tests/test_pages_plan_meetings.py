"""Boka möte and Resultat och återkoppling from a plan, with the advisor, events and registry faked."""

from __future__ import annotations

from copy import deepcopy
from datetime import date

import pytest

from samverkan_common.errors import Invalid

from .test_pages_plans import FakeServices, log_in, people, text_of  # noqa: F401 - people is a fixture

FORUMS = [
    {"slug": "ros", "name": "RÖS-gruppen", "owner_committee": "BMR"},
    {"slug": "bmr-samrad", "name": "Samråd om mänskliga rättigheter", "owner_committee": "BMR"},
    {"slug": "ser", "name": "Sociala ekonomins råd", "owner_committee": "KUN"},
]
NEXT_YEAR = date.today().year + 1


class MeetingServices(FakeServices):
    """Also lists forums, books a plan's meeting and records an outcome, as the advisor would."""

    def __init__(self):
        super().__init__()
        self.refuse: Invalid | None = None

    def call(self, service, method, *args, **kwargs):
        if method == "plan_invitations":  # the plan page lists the invitations' answers
            return []
        if method == "list_forums":
            self.calls.append((service, method, args))
            return deepcopy(FORUMS)
        if method == "schedule_plan_meeting":
            self.calls.append((service, method, args))
            if self.refuse:
                raise self.refuse
            self.plans[args[0]]["meeting_ids"].append("m2")
            return {"id": "m2", **args[1]}
        if method == "record_outcome":
            self.calls.append((service, method, args))
            payload = args[1]
            self.plans[args[0]]["outcome"] = {
                "outcome": payload["outcome"],
                "feedback": payload["feedback"],
                "feedback_on": payload["feedback_on"],
                "recorded_at": "2027-06-01T10:00:00+00:00",
                "proposals": payload["proposals"],
                "feedback_sent_at": "2027-06-01T10:00:00+00:00",
                "feedback_sent_to": 2,
            }
            return deepcopy(self.plans[args[0]])
        return super().call(service, method, *args, **kwargs)


@pytest.fixture
def services(app):
    fake = MeetingServices()
    app.extensions["rpc"] = fake
    return fake


@pytest.fixture
def planner(client, services, people):  # noqa: F811
    log_in(client, "pia@example.org")
    return client


def csrf(client, path):
    import re

    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True))
    assert found
    return found.group(1)


def meeting(**changes):
    form = {
        "forum_slug": "bmr-samrad",
        "title": "Samråd om handlingsplanen",
        "day": f"{NEXT_YEAR}-04-14",
        "starts": "13:00",
        "ends": "15:30",
        "location": "Regionens hus, Vänersborg",
        "online_url": "",
        "capacity": "40",
        "deadline_day": f"{NEXT_YEAR}-04-07",
        "deadline_time": "",
        "level": "dialogue",
        "step": "drafting",
        "description": "",
    }
    return {**form, **changes}


def book(client, **changes):
    token = csrf(client, "/planer/p1/moten/nytt")
    return client.post("/planer/p1/moten/nytt", data={**meeting(**changes), "csrf_token": token})


# Boka möte


def test_the_form_is_prefilled_from_the_plan_with_fitting_forums_first(planner):
    page = planner.get("/planer/p1/moten/nytt")
    html = page.get_data(as_text=True)

    assert page.status_code == 200
    assert 'value="Handlingsplan för mänskliga rättigheter"' in html
    fitting = html.index('label="Passar planen"')
    others = html.index('label="Andra forum"')
    assert fitting < html.index("Samråd om mänskliga rättigheter") < html.index("RÖS-gruppen") < others
    assert others < html.index("Sociala ekonomins råd")
    assert '<option value="dialogue" selected>' in html
    assert '<option value="drafting" selected>' in html


def test_without_forums_of_its_own_the_plan_gets_its_committees_forum_chosen(planner, services):
    services.plans["p1"]["forum_slugs"] = []

    html = planner.get("/planer/p1/moten/nytt").get_data(as_text=True)

    # Both BMR forums fit; the first by name is chosen, and only it.
    assert '<option value="ros" selected>' in html
    assert html.count(" selected>") == 3  # the forum, the level and the step


def test_a_visitor_who_is_not_logged_in_is_sent_to_log_in(client, services):
    answer = client.get("/planer/p1/moten/nytt")
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/logga-in?next=/planer/p1/moten/nytt"


def test_booking_sends_the_meeting_with_places_and_deadline_in_stockholm_time_and_lists_it(planner, services):
    answer = book(planner, level="consultation")

    assert answer.status_code == 303
    assert answer.headers["Location"] == "/planer/p1?sparat=mote#moten"
    [(_, _, (plan_id, sent))] = services.made("schedule_plan_meeting")
    assert plan_id == "p1"
    assert sent["starts_at"] == f"{NEXT_YEAR}-04-14T13:00:00+02:00"
    assert sent["ends_at"] == f"{NEXT_YEAR}-04-14T15:30:00+02:00"
    assert sent["registration_deadline"] == f"{NEXT_YEAR}-04-07T23:59:00+02:00"
    assert (sent["capacity"], sent["level"], sent["step"]) == (40, "consultation", "drafting")
    assert sent["location"] == "Regionens hus, Vänersborg"
    assert "online_url" not in sent  # left empty: not sent at all
    assert "Mötet är bokat" in text_of(planner.get(answer.headers["Location"]))


def test_errors_are_said_in_swedish_beside_each_field_and_nothing_is_booked(planner, services):
    answer = book(planner, title="", day="2099-01-01", starts="", ends="25:00", location="", capacity="noll")
    text = text_of(answer)

    assert answer.status_code == 400
    assert "Något behöver rättas" in text
    assert "Skriv en rubrik för mötet." in text
    assert "Ett möte kan bokas från 1 januari 2000 upp till tio år framåt" in text
    assert "Skriv när mötet börjar." in text
    assert "Skriv tiden som timmar och minuter, till exempel 15:00." in text
    assert "Skriv var mötet är, eller en länk till mötet på nätet." in text
    assert "Skriv antalet platser som ett heltal från 1 till 100000, eller lämna fältet tomt." in text
    assert 'aria-invalid="true" aria-describedby="title-error"' in answer.get_data(as_text=True)
    assert services.made("schedule_plan_meeting") == []


def test_the_hour_the_clocks_skip_in_march_is_refused_in_swedish(planner, services):
    last_sunday = max(date(NEXT_YEAR, 3, day) for day in range(25, 32) if date(NEXT_YEAR, 3, day).weekday() == 6)
    answer = book(planner, day=last_sunday.isoformat(), starts="02:30", ends="04:00", deadline_day="")

    assert answer.status_code == 400
    assert "02:30 den" in text_of(answer)
    assert "finns inte: klockorna ställs fram en timme den natten. Välj en annan tid, till exempel 03:30." in text_of(
        answer
    )
    assert services.made("schedule_plan_meeting") == []


def test_an_end_before_the_start_a_line_break_and_a_late_deadline_are_refused(planner, services):
    answer = book(planner, starts="15:00", ends="13:00", title="Två\nrader", deadline_day=f"{NEXT_YEAR}-04-20")
    text = text_of(answer)

    assert "Mötet måste sluta efter att det börjar." in text
    assert "Skriv rubriken på en rad." in text
    assert "Anmälan måste stänga innan mötet börjar." in text
    assert services.made("schedule_plan_meeting") == []


def test_what_the_events_service_refuses_is_said_in_swedish_per_field(planner, services):
    services.refuse = Invalid("The request is invalid.", "VALIDATION_FAILED", {"location": ["Not allowed."]})

    answer = book(planner)

    assert answer.status_code == 400
    assert "Kontrollera platsen." in text_of(answer)
    assert "Not allowed" not in answer.get_data(as_text=True)


# Resultat och återkoppling


def outcome_form(**changes):
    form = {
        "outcome": "Handlingsplanen fick ett nytt avsnitt om tillgänglighet.",
        "proposal-0-text": "Tolk på mötena",
        "proposal-0-taken_up": "yes",
        "proposal-0-reason": "",
        "proposal-1-text": "Ersättning för förlorad arbetstid",
        "proposal-1-taken_up": "no",
        "proposal-1-reason": "Det finns ingen budget för det i år.",
        "proposal-2-text": "",
        "proposal-2-reason": "",
        "rows": "3",
        "feedback": "Tack för era förslag. Så här gick det.",
        "action": "save",
    }
    return {**form, **changes}


def save_outcome(client, **changes):
    token = csrf(client, "/planer/p1/resultat")
    return client.post("/planer/p1/resultat", data={**outcome_form(**changes), "csrf_token": token})


def test_the_outcome_is_recorded_with_proposals_and_the_feedback_is_sent(planner, services):
    answer = save_outcome(planner)

    assert answer.status_code == 303
    assert answer.headers["Location"] == "/planer/p1?sparat=resultat#resultat"
    [(_, _, (plan_id, sent))] = services.made("record_outcome")
    assert sent["send_feedback"] is True
    assert sent["feedback_on"] == date.today().isoformat()
    assert sent["proposals"] == [
        {"text": "Tolk på mötena", "taken_up": True, "reason": ""},
        {
            "text": "Ersättning för förlorad arbetstid",
            "taken_up": False,
            "reason": "Det finns ingen budget för det i år.",
        },
    ]
    page = text_of(planner.get(answer.headers["Location"]))
    assert "Tolk på mötena – togs med" in page
    assert "Ersättning för förlorad arbetstid – togs inte med: Det finns ingen budget för det i år." in page
    assert "Skickad med e-post 1 juni 2027, 12:00 till 2 organisationer." in page
    assert planner.get("/planer/p1/resultat").status_code == 303  # recorded once; the form leads to the plan


def test_a_proposal_not_taken_up_needs_a_reason_and_empty_texts_are_refused_in_swedish(planner, services):
    answer = save_outcome(planner, outcome="", feedback="", **{"proposal-1-reason": "", "proposal-2-text": "Mer"})
    text = text_of(answer)

    assert answer.status_code == 400
    assert "Skriv vad som kom ut av dialogen." in text
    assert "Skriv återkopplingen till organisationerna." in text
    assert "Skriv varför förslaget inte togs med." in text
    assert "Välj om förslaget togs med eller inte." in text
    assert 'href="#proposal-1-reason"' in answer.get_data(as_text=True)
    assert services.made("record_outcome") == []


def test_more_rows_keep_what_was_written(planner, services):
    answer = save_outcome(planner, action="more")
    html = answer.get_data(as_text=True)

    assert answer.status_code == 200
    assert 'value="Ersättning för förlorad arbetstid"' in html
    assert 'id="proposal-4-text"' in html
    assert services.made("record_outcome") == []


def test_the_plan_page_links_to_both_forms(planner):
    html = planner.get("/planer/p1").get_data(as_text=True)
    assert 'href="/planer/p1/moten/nytt"' in html
    assert 'href="/planer/p1/resultat"' in html
