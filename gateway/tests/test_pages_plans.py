"""Spara som dialogplan, Mina planer and the plan page, with the advisor, events and registry faked."""

from __future__ import annotations

import re
from copy import deepcopy
from datetime import date, timedelta

import pytest

from samverkan_common.errors import Invalid, NotFound
from samverkan_gateway.auth import Role
from samverkan_gateway.people import create_user

PASSWORD = "rätt häst batteri häftklammer"
SOON = (date.today() + timedelta(days=20)).isoformat()
COMMITTEES = [
    {"id": "bmr", "short_name": "BMR", "name": "Beredningen för mänskliga rättigheter", "retired": False},
    {"id": "drn-fyrbodal", "short_name": "DRN Fyrbodal", "name": "Delregionala nämnden Fyrbodal", "retired": False},
    {"id": "kun", "short_name": "KUN", "name": "Kulturnämnden", "retired": False},
]
ASSESSMENT = {
    "id": "a1",
    "questionnaire_version": 2,
    "level": "dialogue",
    "levels_by_step": {"drafting": "dialogue", "decision": "consultation", "implementation": "dialogue"},
    "reasons": [{"code": "OPEN", "sv": "Frågan är fortfarande öppen.", "en": "The issue is still open."}],
    "warnings": [{"code": "TIME", "sv": "Tiden är kort.", "en": "Time is short."}],
    "checklist": [
        {
            "principle": "quality",
            "name": {"sv": "Kvalitet", "en": "Quality"},
            "check": {"sv": "Får organisationerna underlag i god tid?", "en": "Do they get papers in time?"},
            "attention": True,
            "notes": [{"sv": "Skicka underlaget genast.", "en": "Send the papers at once."}],
        }
    ],
    "answers": {"step": "drafting"},
}
PLAN = {
    "id": "p1",
    "assessment_id": "a1",
    "committee": "BMR",
    "committee_id": "bmr",
    "committee_name": "Beredningen för mänskliga rättigheter",
    "issue": "Handlingsplan för mänskliga rättigheter",
    "step": "drafting",
    "recommended_level": "dialogue",
    "level": "dialogue",
    "level_reason": None,
    "starts_on": "2027-02-01",
    "created_by": "Pia Planerare",
    "author_id": "user:1",
    "forum_slugs": ["bmr-samrad"],
    "invited_organisation_ids": ["o1", "o-gone"],
    "meeting_ids": ["m1"],
    "principles_checked": ["dialogue"],
    "outcome": None,
    "state": "meetings_booked",
}
OLD_PLAN = {
    **PLAN,
    "id": "p0",
    "committee": "Nämnden för fritid",
    "committee_id": None,
    "committee_name": "Nämnden för fritid",
    "issue": "Ett gammalt samråd",
    "meeting_ids": [],
    "forum_slugs": [],
    "invited_organisation_ids": [],
    "principles_checked": [],
    "outcome": {
        "outcome": "Två förslag togs in.",
        "feedback": "Brev till alla.",
        "feedback_on": "2026-05-02",
        "recorded_at": "2026-05-01T10:00:00+00:00",
    },
    "state": "feedback_given",
}


class FakeServices:
    """The advisor, the events service and the registry as the pages call them, keeping what they were asked."""

    def __init__(self):
        self.calls: list[tuple[str, str, tuple]] = []
        self.plans = {"p1": deepcopy(PLAN), "p0": deepcopy(OLD_PLAN)}

    def call(self, service, method, *args, **kwargs):
        self.calls.append((service, method, args))
        if method == "get_assessment":
            if args[0] != "a1":
                raise NotFound("no", "ASSESSMENT_NOT_FOUND")
            return deepcopy(ASSESSMENT)
        if method == "list_committees":
            return deepcopy(COMMITTEES)
        if method == "create_plan":
            return {**PLAN, **args[0], "id": "p2"}
        if method == "list_plans":
            return [deepcopy(self.plans["p1"]), deepcopy(self.plans["p0"])]
        if method == "get_plan":
            if args[0] not in self.plans:
                raise NotFound("no", "PLAN_NOT_FOUND")
            return deepcopy(self.plans[args[0]])
        if method == "update_plan":
            plan = self.plans[args[0]]
            changes = args[1]
            if changes.get("level", plan["level"]) != plan["recommended_level"] and not changes.get("level_reason"):
                raise Invalid("no", "LEVEL_REASON_REQUIRED", {"level_reason": ["Say why."]})
            plan.update(changes)
            return deepcopy(plan)
        if method == "meetings_between":
            return [
                {
                    "meeting_id": "m1",
                    "title": "Samråd 1",
                    "starts_at": "2020-01-01T10:00:00+01:00",
                    "status": "planned",
                },
                {"meeting_id": "m1", "title": "Samråd 1", "starts_at": f"{SOON}T09:00:00+01:00", "status": "cancelled"},
                {"meeting_id": "other", "title": "Annat", "starts_at": f"{SOON}T10:00:00+01:00", "status": "planned"},
                {"meeting_id": "m1", "title": "Samråd 1", "starts_at": f"{SOON}T13:00:00+01:00", "status": "planned"},
            ]
        if method == "get_meeting":
            return {
                "id": "m1",
                "title": "Samråd om handlingsplanen",
                "starts_at": f"{SOON}T13:00:00+01:00",
                "status": "planned",
                "rrule": "",
            }
        if method == "plan_invitations":  # the plan page's invitations (test_pages_plan_invitations.py tests them)
            return []
        if method == "get_organisation":
            if args[0] != "o1":
                raise NotFound("no", "ORGANISATION_NOT_FOUND")
            return {"id": "o1", "name": "Föreningen Exempel"}
        raise AssertionError(f"unexpected call {service}.{method}")

    def made(self, method):
        return [call for call in self.calls if call[1] == method]

    def close(self):
        pass


@pytest.fixture
def services(app):
    fake = FakeServices()
    app.extensions["rpc"] = fake
    return fake


@pytest.fixture
def people(app):
    engine = app.extensions["samverkan_db"]
    planner = create_user(engine, "pia@example.org", PASSWORD, Role.PLANNER, name="Pia Planerare")
    create_user(engine, "anna@example.org", PASSWORD, Role.ORGANISATION, "org-1", name="Anna Exempel")
    return {"planner": planner}


def csrf_of(client, path: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True))
    assert found
    return found.group(1)


def log_in(client, email: str) -> None:
    answer = client.post(
        "/logga-in", data={"email": email, "password": PASSWORD, "csrf_token": csrf_of(client, "/logga-in")}
    )
    assert answer.status_code == 303


@pytest.fixture
def planner(client, services, people):
    log_in(client, "pia@example.org")
    return client


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).strip()


# Who may see the pages


@pytest.mark.parametrize("path", ["/mina-planer", "/planer/p1", "/planera/forslag/a1/spara"])
def test_a_visitor_who_is_not_logged_in_is_sent_to_log_in_and_back(client, services, path):
    answer = client.get(path)

    assert answer.status_code == 302
    assert answer.headers["Location"] == f"/logga-in?next={path}"
    assert services.calls == []


@pytest.mark.parametrize("path", ["/mina-planer", "/planer/p1"])
def test_an_organisation_representative_may_not_see_plans(client, services, people, path):
    log_in(client, "anna@example.org")

    assert client.get(path).status_code == 403
    assert services.made("list_plans") == []


def test_a_plan_that_does_not_exist_is_not_found(planner, services):
    assert planner.get("/planer/nope").status_code == 404


def test_the_menu_and_my_pages_link_to_my_plans_for_planners_only(client, services, people):
    log_in(client, "anna@example.org")
    assert 'href="/mina-planer"' not in client.get("/logga-in").get_data(as_text=True)
    client.post("/logga-ut", data={"csrf_token": csrf_of(client, "/logga-in")})

    log_in(client, "pia@example.org")
    menu = client.get("/mina-planer").get_data(as_text=True)
    assert '<a href="/mina-planer" aria-current="page">Mina planer</a>' in menu


# Spara som dialogplan


def test_the_plan_form_offers_the_region_committees_to_choose_from(planner, services):
    page = planner.get("/planera/forslag/a1/spara").get_data(as_text=True)

    assert '<select id="committee" name="committee" required>' in page
    assert '<option value="drn-fyrbodal">Delregionala nämnden Fyrbodal (DRN Fyrbodal)</option>' in page
    assert '<option value="" selected>Välj nämnd</option>' in page


def test_saving_a_plan_keeps_the_committee_and_author_and_lands_on_the_plan(planner, services, people):
    answer = planner.post(
        "/planera/forslag/a1/spara",
        data={"committee": "kun", "issue": " Kultur för unga ", "csrf_token": csrf_of(planner, "/mina-planer")},
    )

    assert answer.status_code == 303
    assert answer.headers["Location"] == "/planer/p2?sparad=1"
    [(_, _, (payload,))] = services.made("create_plan")
    assert payload == {
        "committee": "kun",
        "issue": "Kultur för unga",
        "assessment_id": "a1",
        "created_by": "Pia Planerare",
        "author_id": f"user:{people['planner']}",
    }


def test_a_committee_not_in_the_list_is_refused_with_a_link_to_the_field(planner, services):
    answer = planner.post(
        "/planera/forslag/a1/spara",
        data={"committee": "nämnden-för-allt", "issue": "X", "csrf_token": csrf_of(planner, "/mina-planer")},
    )

    assert answer.status_code == 400
    assert '<a href="#committee">Välj den nämnd som planerar dialogen.</a>' in answer.get_data(as_text=True)
    assert services.made("create_plan") == []


def test_the_saved_plan_says_so_on_its_page(planner, services):
    services.plans["p2"] = {**deepcopy(PLAN), "id": "p2"}

    page = text_of(planner.get("/planer/p2?sparad=1"))

    assert "Planen är sparad." in page


# Mina planer


def test_my_plans_lists_each_plan_with_committee_level_step_next_meeting_and_state(planner, services, people):
    answer = planner.get("/mina-planer")
    page = text_of(answer)

    assert answer.status_code == 200
    [(_, _, (where,))] = services.made("list_plans")
    assert where == {"author_id": f"user:{people['planner']}"}
    assert page.index("Handlingsplan för mänskliga rättigheter") < page.index("Ett gammalt samråd")
    assert "Nämnd Beredningen för mänskliga rättigheter" in page
    assert "Nämnd Nämnden för fritid" in page  # a plan from before the list keeps its free text
    assert "Nivå Dialog" in page
    assert "Steg i beslutsprocessen Utformning" in page
    # The next meeting is the first coming one that is not cancelled, of this plan's own meetings.
    assert "Nästa möte Samråd 1" in page
    assert f'<time datetime="{SOON}T13:00:00+01:00">' in answer.get_data(as_text=True)
    assert "Inget möte bokat" in page
    assert "Möten bokade" in page
    assert "Återkoppling given" in page
    [(_, _, (start, _end, chosen))] = services.made("meetings_between")
    assert (start, chosen) == (date.today().isoformat(), {"forum_slugs": ["bmr-samrad"]})


def test_my_plans_without_plans_says_how_to_make_one(planner, services):
    services.plans = {}
    services.call = _no_plans(services.call)

    page = text_of(planner.get("/mina-planer"))

    assert "Du har inga dialogplaner ännu." in page
    assert services.made("meetings_between") == []


def _no_plans(call):
    def answer(service, method, *args, **kwargs):
        if method == "list_plans":
            return []
        return call(service, method, *args, **kwargs)

    return answer


# The plan page


def test_the_plan_page_shows_the_suggestion_the_choice_the_principles_meetings_and_invitations(planner, services):
    answer = planner.get("/planer/p1")
    html = answer.get_data(as_text=True)
    page = text_of(answer)

    assert answer.status_code == 200
    assert "Handlingsplan för mänskliga rättigheter" in page
    assert "Föreslagen nivå: Dialog . Vald nivå: Dialog ." in page
    assert "Redan passerat" in page  # agenda setting came before the plan's step
    assert "Frågan är fortfarande öppen." in page
    assert "Varning: Tiden är kort." in page
    # All six principles, with what the planner ticked off and the assessment's question where it has one.
    assert len(re.findall(r'name="principle" value="', html)) == 6
    assert re.search(r'value="dialogue" checked', html)
    assert not re.search(r'value="quality"[^>]*checked', html)
    assert "Får organisationerna underlag i god tid?" in page
    assert "1 av 6 principer avbockade." in page
    assert '<a href="/moten/m1">Samråd om handlingsplanen</a>' in html
    assert '<a href="/organisationer/o1">Föreningen Exempel</a>' in html
    assert "En organisation som inte längre finns i registret" in page
    assert "Resultatet och återkopplingen är inte registrerade ännu." in page


def test_an_old_plan_shows_its_free_text_committee_outcome_and_feedback(planner, services):
    page = text_of(planner.get("/planer/p0"))

    assert "Nämnd Nämnden för fritid" in page
    assert "Två förslag togs in." in page
    assert "Brev till alla." in page
    assert "Återkoppling given: 2 maj 2026" in page


def test_choosing_another_level_with_a_reason_is_saved(planner, services):
    answer = planner.post(
        "/planer/p1/niva",
        data={
            "level": "consultation",
            "level_reason": "Bara ett möte hinns med.",
            "csrf_token": csrf_of(planner, "/planer/p1"),
        },
    )

    assert answer.status_code == 303
    assert answer.headers["Location"] == "/planer/p1?sparat=niva#niva"
    [(_, _, (plan_id, changes))] = services.made("update_plan")
    assert (plan_id, changes) == ("p1", {"level": "consultation", "level_reason": "Bara ett möte hinns med."})
    page = text_of(planner.get(answer.headers["Location"]))
    assert "Nivån är sparad." in page
    assert "Varför en annan nivå valdes: Bara ett möte hinns med." in page


def test_another_level_without_a_reason_links_to_the_reason(planner, services):
    answer = planner.post(
        "/planer/p1/niva",
        data={"level": "partnership", "level_reason": " ", "csrf_token": csrf_of(planner, "/planer/p1")},
    )

    html = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert '<a href="#level_reason">Skriv varför du valde en annan nivå än den föreslagna.</a>' in html
    assert '<option value="partnership" selected>' in html
    assert services.plans["p1"]["level"] == "dialogue"


def test_a_level_that_does_not_exist_is_refused_before_any_change(planner, services):
    answer = planner.post(
        "/planer/p1/niva", data={"level": "co_decision", "csrf_token": csrf_of(planner, "/planer/p1")}
    )

    assert answer.status_code == 400
    assert services.made("update_plan") == []


def test_ticking_off_principles_saves_them_on_the_plan(planner, services):
    answer = planner.post(
        "/planer/p1/principer",
        data={"principle": ["openness", "diversity", "speed"], "csrf_token": csrf_of(planner, "/planer/p1")},
    )

    assert answer.headers["Location"] == "/planer/p1?sparat=principer#principer"
    [(_, _, (_, changes))] = services.made("update_plan")
    assert changes == {"principles_checked": ["openness", "diversity"]}
    assert "2 av 6 principer avbockade." in text_of(planner.get(answer.headers["Location"]))


@pytest.mark.parametrize("path", ["/planer/p1/niva", "/planer/p1/principer"])
def test_the_plan_forms_need_the_pages_csrf_token(planner, services, path):
    answer = planner.post(path, data={"level": "dialogue", "principle": ["openness"]})

    assert answer.status_code == 400
    assert services.made("update_plan") == []
