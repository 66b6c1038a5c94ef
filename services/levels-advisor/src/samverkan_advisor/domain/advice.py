"""From a planner's answers to a recommended level of participation.

The method, kept deliberately simple so that a planner can follow it:

1. Every rule in the questionnaire's rule table whose condition matches the
   answers *fires*. Each rule names the highest level it allows (``at_most``).
2. The recommended level is the highest level that every fired rule allows,
   i.e. the lowest of their ``at_most`` (partnership if nothing limits it).
3. Steps of the decision process before the current one are over: they get
   information at most. The current step and the steps after it get the
   recommended level.
4. Each fired rule adds its reason, and its warning if it has one, in table
   order, so the answer always says why.
"""

from __future__ import annotations

from collections.abc import Mapping

from samverkan_common.errors import Invalid
from samverkan_common.participation import DecisionStep, Level

from .model import (
    LEVEL_MARKER,
    STEP_QUESTION,
    Assessment,
    Message,
    Questionnaire,
    Text,
    lowest,
)

STEPS_PASSED = "STEPS_PASSED"
RECOMMENDED_LEVEL = "RECOMMENDED_LEVEL"


def assess(questionnaire: Questionnaire, answers: Mapping[str, object]) -> Assessment:
    """Recommend a level for ``answers`` ({question_id: option_id}); deterministic."""
    chosen = checked_answers(questionnaire, answers)
    fired = [rule for rule in questionnaire.rules if rule.fires(chosen)]
    level = lowest([Level.PARTNERSHIP, *(rule.at_most for rule in fired)])

    steps = list(DecisionStep)
    current = steps.index(DecisionStep(chosen[STEP_QUESTION]))
    levels_by_step = {step: Level.INFORMATION if index < current else level for index, step in enumerate(steps)}

    label = questionnaire.level_label(level)
    reasons = [
        Message(
            RECOMMENDED_LEVEL,
            questionnaire.summary.sv.replace(LEVEL_MARKER, label.sv.lower()),
            questionnaire.summary.en.replace(LEVEL_MARKER, label.en.lower()),
        ),
        *(_message(rule.code, rule.reason) for rule in fired),
    ]
    if current > 0:
        reasons.append(_message(STEPS_PASSED, questionnaire.passed_steps))
    warnings = [_message(rule.code, rule.warning) for rule in fired if rule.warning is not None]

    return Assessment(
        questionnaire_version=questionnaire.version,
        answers=chosen,
        level=level,
        levels_by_step=levels_by_step,
        reasons=tuple(reasons),
        warnings=tuple(warnings),
    )


def checked_answers(questionnaire: Questionnaire, answers: Mapping[str, object]) -> dict[str, str]:
    """The answers as {question_id: option_id}, or :class:`Invalid` naming each bad one."""
    errors: dict[str, list[str]] = {}
    chosen: dict[str, str] = {}
    for question_id, option_id in answers.items():
        question = questionnaire.question(question_id)
        if question is None:
            errors[f"answers.{question_id}"] = [
                f"There is no such question in version {questionnaire.version} of the questionnaire."
            ]
        elif not isinstance(option_id, str) or option_id not in question.option_ids:
            errors[f"answers.{question_id}"] = [
                f"Not an option of this question. Choose one of: {', '.join(question.option_ids)}."
            ]
        else:
            chosen[question_id] = option_id
    for question in questionnaire.questions:
        if question.required and question.id not in answers:
            errors[f"answers.{question.id}"] = ["An answer is required."]
    if errors:
        raise Invalid("The answers do not fit the questionnaire.", "ANSWERS_INVALID", errors)
    return chosen


def _message(code: str, text: Text) -> Message:
    return Message(code=code, sv=text.sv, en=text.en)
