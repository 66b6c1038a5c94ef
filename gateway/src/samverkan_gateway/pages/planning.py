"""Planera en dialog: the advisor's questionnaire a page of related questions per step, a summary, then the advice.

The questionnaire says which questions share a page (its ``pages``, each with a heading); a version
without pages shows one question a page. Answers travel in hidden fields from step to step (no
session, no JavaScript), so going back and forward never loses them. "Ändra" on the summary opens the
page holding that question with ``retur=sammanfattning``, and the next button then leads straight
back to the summary.

The recommendation is made by the levels advisor's ``assess`` RPC, which keeps the assessment: the
answers and the advice, without anything about who asked. That record is what a planner later turns
into a dialogue plan; the visitor is sent to its page (post, redirect, get), which can be printed or
saved as PDF. Saving it as a plan, or changing the answers, comes right under the headline.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from samverkan_common.errors import Invalid
from samverkan_common.participation import DecisionStep

from ..services import call
from .calendar import level_name

blp = Blueprint("planning_pages", __name__, template_folder="../templates")
PREFIX = "a_"
# A question opened from the summary goes back there once it is answered.
RETURN = ("retur", "sammanfattning")


def step_names() -> dict[str, str]:
    return {
        DecisionStep.AGENDA_SETTING.value: _("Agenda setting"),
        DecisionStep.DRAFTING.value: _("Drafting"),
        DecisionStep.DECISION.value: _("Decision"),
        DecisionStep.IMPLEMENTATION.value: _("Implementation"),
        DecisionStep.MONITORING.value: _("Monitoring"),
        DecisionStep.REFORMULATION.value: _("Reformulation"),
    }


def confidence_names() -> dict[str, str]:
    return {"high": _("High"), "medium": _("Medium"), "low": _("Low")}


def _language() -> str:
    return str(get_locale() or "sv")


def _questionnaire() -> dict[str, Any]:
    questionnaire: dict[str, Any] = call("levels_advisor", "get_questionnaire", _language(), None)
    return questionnaire


def _answers(questionnaire: dict[str, Any], form: Any) -> dict[str, str]:
    """The answers given so far, keeping only options the questionnaire offers."""
    answers = {}
    for question in questionnaire["questions"]:
        value = form.get(PREFIX + question["id"], "")
        if value in {option["id"] for option in question["options"]}:
            answers[question["id"]] = value
    return answers


def _pages(questionnaire: dict[str, Any]) -> list[dict[str, Any]]:
    """The wizard's pages, each with a heading (or None) and its questions; one question a page without groups."""
    by_id = {question["id"]: question for question in questionnaire["questions"]}
    groups = questionnaire.get("pages") or []
    if not groups:
        return [{"id": q["id"], "heading": None, "questions": [q]} for q in questionnaire["questions"]]
    return [
        {"id": group["id"], "heading": group["heading"], "questions": [by_id[qid] for qid in group["questions"]]}
        for group in groups
    ]


def _page_of(pages: list[dict[str, Any]]) -> dict[str, int]:
    """Each question's page number."""
    return {question["id"]: number for number, page in enumerate(pages, 1) for question in page["questions"]}


def _step_number(raw: str | None, last: int) -> int:
    return min(int(raw), last) if raw and raw.isdigit() and int(raw) >= 1 else 1


@blp.get("/planera")
def start() -> Any:
    return render_template("pages/planning_start.html", questionnaire=_questionnaire())


@blp.get("/planera/fraga")
def question() -> Any:
    """One page of questions; the buttons say where to go next, and the answers so far come along."""
    questionnaire = _questionnaire()
    pages = _pages(questionnaire)
    answers = _answers(questionnaire, request.args)
    number = _step_number(request.args.get("steg"), len(pages))
    go = request.args.get("go")
    returning = request.args.get(RETURN[0]) == RETURN[1]
    errors: dict[str, str] = {}
    if go == "back":
        number = max(1, number - 1)
    elif go == "next":
        for current in pages[number - 1]["questions"]:
            if current["required"] and current["id"] not in answers:
                errors[f"{current['id']}-{current['options'][0]['id']}"] = (
                    _("Choose an answer to go on.")
                    if len(pages[number - 1]["questions"]) == 1
                    else _("Answer the question: %(text)s", text=current["text"])
                )
        if not errors:
            if number == len(pages) or returning:
                return redirect(url_for("planning_pages.summary", **_hidden(answers)))
            number += 1
    page = pages[number - 1]
    on_page = {PREFIX + q["id"] for q in page["questions"]}
    return render_template(
        "pages/planning_question.html",
        questionnaire=questionnaire,
        page=page,
        number=number,
        count=len(pages),
        answers=answers,
        hidden={key: value for key, value in _hidden(answers).items() if key not in on_page},
        errors=errors,
        returning=returning,
        summary_url=url_for("planning_pages.summary", **_hidden(answers)),
    ), (400 if errors else 200)


@blp.get("/planera/sammanfattning")
def summary() -> Any:
    questionnaire = _questionnaire()
    answers = _answers(questionnaire, request.args)
    page_of = _page_of(_pages(questionnaire))
    missing = [(page_of[q["id"]], q) for q in questionnaire["questions"] if q["required"] and q["id"] not in answers]
    return render_template(
        "pages/planning_summary.html",
        questionnaire=questionnaire,
        page_of=page_of,
        answers=answers,
        hidden=_hidden(answers),
        change={**_hidden(answers), RETURN[0]: RETURN[1]},
        missing=missing,
    )


@blp.post("/planera/forslag")
def recommend() -> Any:
    questionnaire = _questionnaire()
    answers = _answers(questionnaire, request.form)
    try:
        assessment = call("levels_advisor", "assess", {"answers": answers})
    except Invalid:
        return redirect(url_for("planning_pages.summary", **_hidden(answers)))
    return redirect(url_for("planning_pages.recommendation", assessment_id=assessment["id"]), code=303)


@blp.get("/planera/forslag/<assessment_id>")
def recommendation(assessment_id: str) -> Any:
    assessment = call("levels_advisor", "get_assessment", assessment_id)
    language = _language()
    questionnaire = call("levels_advisor", "get_questionnaire", language, assessment["questionnaire_version"])
    steps = step_names()
    current = assessment["answers"]["step"]
    # Reasons about some steps only: with the headline when the current step is one of them, else with the steps.
    why = [reason for reason in assessment["reasons"] if current in (reason.get("steps") or [current])]
    later = [
        (", ".join(steps.get(step, step) for step in reason["steps"]), reason)
        for reason in assessment["reasons"]
        if current not in (reason.get("steps") or [current])
    ]
    return render_template(
        "pages/planning_recommendation.html",
        assessment=assessment,
        questionnaire=questionnaire,
        language=language,
        steps=[(step.value, steps[step.value], assessment["levels_by_step"].get(step.value)) for step in DecisionStep],
        why=why,
        later=later,
        step_names=steps,
        confidence=confidence_names().get(assessment["confidence"] or ""),
        level_name=level_name,
        hidden=_hidden(assessment["answers"]),
    )


def _hidden(answers: dict[str, str]) -> dict[str, Any]:
    return {PREFIX + question_id: value for question_id, value in answers.items()}
