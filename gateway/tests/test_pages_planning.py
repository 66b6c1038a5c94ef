"""The advisor wizard: a page of questions per step, answers carried along, then the advice from the levels advisor."""

from __future__ import annotations

import re
from typing import Any

import pytest

from samverkan_advisor.adapters.questionnaires import load_methods, load_questionnaire
from samverkan_advisor.domain.advice import assess
from samverkan_advisor.entrypoints.schemas import AssessmentSchema
from samverkan_common.errors import NotFound
from samverkan_gateway.auth import Role
from samverkan_gateway.pages import planning
from samverkan_gateway.people import create_user

PASSWORD = "rätt häst batteri häftklammer"

QUESTIONNAIRE = {
    "version": 2,
    "title": "Vilken nivå?",
    "intro": "Svara på frågorna.",
    "levels": [{"id": "dialogue", "label": "Dialog", "description": "Samtal flera gånger."}],
    "questions": [
        {
            "id": "step",
            "text": "Vilket steg?",
            "help": "Välj steget.",
            "required": True,
            "options": [{"id": "agenda_setting", "label": "Dagordning"}, {"id": "drafting", "label": "Utformning"}],
        },
        {
            "id": "contested",
            "text": "Är frågan omstridd?",
            "help": "",
            "required": False,
            "options": [{"id": "no", "label": "Nej"}, {"id": "much", "label": "Mycket"}],
        },
    ],
}
TEXT = {"sv": "svensk text", "en": "English text"}
ASSESSMENT = {
    "id": "a1",
    "questionnaire_version": 2,
    "level": "dialogue",
    "levels_by_step": {
        s: "dialogue" for s in ("drafting", "decision", "implementation", "monitoring", "reformulation")
    },
    "confidence": "medium",
    "confidence_reasons": [],
    "reasons": [{"code": "R", **TEXT}],
    "warnings": [{"code": "W", "sv": "Varning om tid", "en": "x"}],
    "methods": [{"step": "drafting", "level": "dialogue", "methods": [{"sv": "Workshop", "en": "Workshop"}]}],
    "checklist": [{"principle": "p", "name": TEXT, "check": TEXT, "attention": False, "notes": []}] * 6,
    "answers": {"step": "drafting"},
}


@pytest.fixture
def calls(monkeypatch):
    made: list[tuple[str, tuple[Any, ...]]] = []

    def fake(service: str, method: str, *args: Any) -> Any:
        made.append((method, args))
        if method == "get_questionnaire":
            return QUESTIONNAIRE
        if method == "assess":
            return {"id": "a1"}
        if method == "get_assessment":
            if args[0] != "a1":
                raise NotFound("no", "ASSESSMENT_NOT_FOUND")
            return ASSESSMENT
        raise AssertionError(method)

    monkeypatch.setattr(planning, "call", fake)
    return made


def test_a_required_question_left_blank_stays_with_an_error_linking_to_the_first_choice(client, calls):
    response = client.get("/planera/fraga?steg=1&go=next")

    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'href="#step-agenda_setting"' in page
    assert 'id="step-agenda_setting"' in page


def test_next_carries_the_answer_along_and_back_keeps_it(client, calls):
    forward = client.get("/planera/fraga?steg=1&go=next&a_step=drafting").get_data(as_text=True)
    assert "Är frågan omstridd?" in forward
    assert '<input type="hidden" name="a_step" value="drafting">' in forward

    back = client.get("/planera/fraga?steg=2&go=back&a_step=drafting&a_contested=much").get_data(as_text=True)
    assert 'value="drafting" checked' in back
    assert '<input type="hidden" name="a_contested" value="much">' in back


def test_an_answer_the_questionnaire_does_not_offer_is_dropped(client, calls):
    page = client.get("/planera/fraga?steg=2&a_step=bogus").get_data(as_text=True)

    assert 'value="bogus"' not in page


def test_switching_language_keeps_the_answers_so_far(client, calls):
    page = client.get("/planera/fraga?steg=2&a_step=drafting").get_data(as_text=True)

    assert 'href="?steg=2&amp;a_step=drafting&amp;lang=en"' in page


def test_the_last_next_leads_to_the_summary_with_every_answer(client, calls):
    response = client.get("/planera/fraga?steg=2&go=next&a_step=drafting&a_contested=no")

    assert response.status_code == 302
    summary = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Utformning" in summary
    assert "Nej" in summary
    assert "Visa förslaget" in summary


def test_summary_without_a_required_answer_links_back_to_that_question_and_offers_no_advice(client, calls):
    summary = client.get("/planera/sammanfattning?a_contested=no").get_data(as_text=True)

    assert "Svara på frågan: Vilket steg?" in summary
    assert "Visa förslaget" not in summary


def test_showing_the_suggestion_assesses_the_answers_then_redirects_to_it(client, calls):
    summary = client.get("/planera/sammanfattning?a_step=drafting&a_contested=much").get_data(as_text=True)
    csrf_token = re.search(r'name="csrf_token" value="([^"]+)"', summary).group(1)  # type: ignore[union-attr]

    response = client.post(
        "/planera/forslag",
        data={"a_step": "drafting", "a_contested": "much", "a_x": "y", "csrf_token": csrf_token},
    )

    assert response.status_code == 303
    assert response.headers["Location"].endswith("/planera/forslag/a1")
    assert ("assess", ({"answers": {"step": "drafting", "contested": "much"}},)) in calls


def test_recommendation_names_the_level_of_every_step_in_words_with_the_checklist(client, calls):
    page = client.get("/planera/forslag/a1").get_data(as_text=True)

    assert "Förslag: Dialog" in page
    assert page.count('class="step level-') == 6
    assert "Dagordning</span>" in page
    assert "Redan passerat" in page
    assert "Varning om tid" in page
    assert "Workshop" in page
    assert page.count("svensk text") >= 7


def test_unknown_recommendation_is_not_found(client, calls):
    assert client.get("/planera/forslag/nope").status_code == 404


def follow(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def change_link(summary: str, number: int) -> str:
    found = re.search(rf'href="(/planera/fraga\?steg={number}&[^"]*)"', summary)
    assert found
    return found.group(1).replace("&amp;", "&")


def test_change_on_the_summary_returns_to_the_summary_after_the_changed_answer(client, calls):
    summary = follow(client, "/planera/sammanfattning?a_step=drafting&a_contested=much")
    link = change_link(summary, 1)
    assert "retur=sammanfattning" in link

    question = follow(client, link)
    assert '<input type="hidden" name="retur" value="sammanfattning">' in question
    assert "Till sammanfattningen" in question
    assert "Tillbaka till sammanfattningen utan att ändra" in question
    response = client.get("/planera/fraga?steg=1&go=next&retur=sammanfattning&a_step=agenda_setting&a_contested=much")

    # Not on to question 2: straight back to the summary, the other answer kept.
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/planera/sammanfattning?")
    again = follow(client, response.headers["Location"])
    assert "Dagordning" in again
    assert "Mycket" in again


def test_back_to_the_summary_without_changing_keeps_the_old_answer(client, calls):
    question = follow(client, "/planera/fraga?steg=1&retur=sammanfattning&a_step=drafting&a_contested=no")

    found = re.search(r'href="(/planera/sammanfattning\?[^"]*)"[^>]*>Tillbaka till sammanfattningen', question)
    assert found
    assert "a_step=drafting" in found.group(1)
    assert "a_contested=no" in found.group(1)


def test_a_required_answer_left_blank_after_change_stays_on_the_question(client, calls):
    response = client.get("/planera/fraga?steg=1&go=next&retur=sammanfattning&a_contested=no")

    assert response.status_code == 400
    assert '<input type="hidden" name="retur" value="sammanfattning">' in response.get_data(as_text=True)


def test_without_change_the_next_button_still_goes_question_by_question(client, calls):
    response = client.get("/planera/fraga?steg=1&go=next&a_step=drafting")

    assert response.status_code == 200
    assert "Är frågan omstridd?" in response.get_data(as_text=True)


def real_assessment(answers: dict[str, str]) -> dict[str, Any]:
    """What the levels advisor answers for these answers, made by its own rules (questionnaire version 3)."""
    made = assess(load_questionnaire(3), answers, load_methods())
    return {**AssessmentSchema().dump(made), "id": "a1"}


ANSWERS_V3 = {
    "step": "agenda_setting",
    "decision_open": "yes",
    "negotiable": "what",
    "mandate": "some",
    "contested": "some",
    "affected": "groups",
    "knowledge": "partly",
    "shared_work": "no",
    "time_to_decision": "two_to_six_months",
    "meeting_resources": "yes",
    "compensation": "no",
    "small_organisations": "yes",
    "equal_terms": "partly",
    "facilitation": "no",
    "legal_duty": "no",
    "intended_level": "not_decided",
}


@pytest.fixture
def real(monkeypatch):
    shown: dict[str, Any] = {}

    def fake(service: str, method: str, *args: Any) -> Any:
        if method == "get_questionnaire":
            return {**QUESTIONNAIRE, "levels": [{"id": "dialogue", "label": "Dialog", "description": "Samtal."}]}
        if method == "get_assessment":
            return shown["assessment"]
        raise AssertionError(method)

    monkeypatch.setattr(planning, "call", fake)
    return shown


def test_high_confidence_is_never_shown_beside_a_sentence_saying_the_advice_is_less_certain(client, real):
    answers = {**ANSWERS_V3, "time_to_decision": "under_three_weeks"}  # a clear limit decides
    del answers["legal_duty"]  # one question skipped
    real["assessment"] = real_assessment(answers)

    page = follow(client, "/planera/forslag/a1")

    assert "<strong>Hög</strong>" in page
    assert "Så få gör inte förslaget osäkrare." in page
    assert "Det gör förslaget osäkrare" not in page


def test_lower_confidence_is_shown_with_the_unknowns_that_lowered_it(client, real):
    answers = {**ANSWERS_V3, "time_to_decision": "under_three_weeks", "legal_duty": "unsure"}
    del answers["facilitation"]
    real["assessment"] = real_assessment(answers)

    page = follow(client, "/planera/forslag/a1")

    assert "<strong>Medel</strong>" in page
    assert "Antal frågor utan svar eller med svaret vet inte: 2. Det gör förslaget osäkrare." in page


def test_reasons_about_later_steps_are_shown_with_those_steps_not_under_why(client, real):
    real["assessment"] = real_assessment(ANSWERS_V3)

    page = follow(client, "/planera/forslag/a1")
    steps_part = page[page.index('id="steps-title"') : page.index('id="reasons-title"')]
    why_part = page[page.index('id="reasons-title"') : page.index('id="methods-title"')]

    assert "Därför skiljer sig nivån mellan stegen" in steps_part
    assert "<strong>Beslut:</strong> När förslaget är färdigt och ska beslutas passar samråd." in steps_part
    assert "När förslaget är färdigt" not in why_part
    assert "Medan ni väljer frågor och skriver förslaget" in why_part  # about the current step too
    # The new warnings, in plain Swedish.
    assert "Små föreningar ska vara med utan ersättning för sin tid." in page
    assert "Tänk på tid, plats, språk och tillgänglighet." in page


def test_saving_as_a_plan_comes_before_the_details_of_the_advice(app, client, real):
    create_user(app.extensions["samverkan_db"], "pia@example.org", PASSWORD, Role.PLANNER, name="Pia Planerare")
    login = follow(client, "/logga-in")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', login).group(1)  # type: ignore[union-attr]
    answer = client.post("/logga-in", data={"email": "pia@example.org", "password": PASSWORD, "csrf_token": csrf})
    assert answer.status_code == 303
    real["assessment"] = real_assessment(ANSWERS_V3)

    page = follow(client, "/planera/forslag/a1")

    assert page.count("Spara som dialogplan") == 1
    assert page.index("Spara som dialogplan") < page.index('id="steps-title"')
    assert page.index("Ändra dina svar") < page.index('id="steps-title"')
    assert 'href="#warnings-title">Läs de 2 varningarna innan du går vidare' in page


def test_a_visitor_gets_the_reference_near_the_top_instead_of_the_save_button(client, real):
    real["assessment"] = real_assessment(ANSWERS_V3)

    page = follow(client, "/planera/forslag/a1")

    assert "Spara som dialogplan" not in page
    assert page.index("<code>a1</code>") < page.index('id="steps-title"')


@pytest.fixture
def grouped(monkeypatch):
    """The real questionnaire, version 3, with its pages of related questions, in Swedish."""
    from samverkan_advisor.entrypoints.schemas import questionnaire_out

    served = questionnaire_out(load_questionnaire(3), "sv")

    def fake(service: str, method: str, *args: Any) -> Any:
        if method == "get_questionnaire":
            return served
        raise AssertionError(method)

    monkeypatch.setattr(planning, "call", fake)
    return served


def every_answer(questionnaire: dict[str, Any]) -> dict[str, str]:
    return {f"a_{q['id']}": q["options"][0]["id"] for q in questionnaire["questions"]}


def test_a_grouped_questionnaire_shows_a_page_of_questions_each_in_its_own_fieldset(client, grouped):
    page = follow(client, "/planera/fraga?steg=1")
    first = grouped["pages"][0]
    assert f"<h1>{first['heading']}</h1>" in page
    assert "Planera en dialog: steg 1 av 4" in page
    assert page.count('<fieldset id="question-') == len(first["questions"]) == 4
    for question_id in first["questions"]:
        assert f'<fieldset id="question-{question_id}"' in page
    assert page.count("<legend") == 4


def test_next_on_a_page_with_blanks_names_each_unanswered_required_question(client, grouped):
    response = client.get("/planera/fraga?steg=1&go=next&a_step=drafting")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    required_blank = [
        q for q in grouped["questions"] if q["id"] in grouped["pages"][0]["questions"][1:] and q["required"]
    ]
    assert required_blank
    for question in required_blank:
        assert f'href="#{question["id"]}-{question["options"][0]["id"]}">Svara på frågan: {question["text"]}' in page
        assert f'id="error-{question["id"]}"' in page
    assert 'id="error-step"' not in page
    assert 'value="drafting" checked' in page


def test_a_full_page_goes_on_to_the_next_page_and_the_last_page_to_the_summary(client, grouped):
    answers = every_answer(grouped)
    response = client.get("/planera/fraga", query_string={"steg": 1, "go": "next", **answers})
    assert response.status_code == 200
    assert "Planera en dialog: steg 2 av 4" in response.get_data(as_text=True)
    last = client.get("/planera/fraga", query_string={"steg": 4, "go": "next", **answers})
    assert last.status_code == 302
    assert "/planera/sammanfattning?" in last.headers["Location"]


def test_change_opens_the_page_holding_the_question_and_returns_to_the_summary(client, grouped):
    answers = every_answer(grouped)
    summary = follow(client, "/planera/sammanfattning?" + "&".join(f"{k}={v}" for k, v in answers.items()))
    link = re.search(r'href="(/planera/fraga\?steg=(\d)&[^"]*#question-compensation)"', summary)
    assert link
    assert link.group(2) == "3"
    changed = follow(client, link.group(1).replace("&amp;", "&"))
    assert "Tid och resurser" in changed
    assert 'name="retur" value="sammanfattning"' in changed
    back = client.get(
        "/planera/fraga",
        query_string={**answers, "steg": 3, "go": "next", "retur": "sammanfattning", "a_compensation": "no"},
    )
    assert back.status_code == 302
    assert "/planera/sammanfattning?" in back.headers["Location"]
    assert "a_compensation=no" in back.headers["Location"]
