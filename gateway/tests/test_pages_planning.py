"""The advisor wizard: one question per step, answers carried along, then the advice from the levels advisor."""

from __future__ import annotations

import re
from typing import Any

import pytest

from samverkan_common.errors import NotFound
from samverkan_gateway.pages import planning

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
