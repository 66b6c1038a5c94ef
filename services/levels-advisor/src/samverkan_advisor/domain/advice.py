"""From a planner's answers to a recommended level of participation.

The method, kept deliberately simple so that a planner can follow it:

1. Every rule whose condition matches the answers *fires*.
2. For the current decision step and each step after it, the weights of the
   fired rules that count at that step add up to a score (from version 3 a
   weight may count on some steps only). The questionnaire's thresholds turn
   the score into a starting level (a questionnaire without scoring, such as
   version 1, starts at partnership).
3. At each of those steps: fired minimums
   (``at_least``, such as a legal duty to consult) raise the level, then fired
   ceilings (``at_most``, such as "the decision is already taken") lower it.
   A ceiling always wins: only what can really be influenced is honest.
4. The recommended level is the level at the current step. Steps before it
   are over; the reasons say so.
5. Each fired rule adds its reason, with the way it pushed and (for a rule
   about some steps) the steps it is about, in table order, and its warning
   if it has one. A reason that speaks for a level a ceiling rules out at its
   steps is left out, with its warning; one sentence says that some were.
   Rules with ``level_in`` then warn about the recommended level (for example
   partnership without resources).
6. The confidence says how close the score is to a border between two
   levels, and drops with every few questions left unanswered or answered
   "don't know". Its sentences say only what moved it.
"""

from __future__ import annotations

from collections.abc import Mapping

from samverkan_common.errors import Invalid
from samverkan_common.participation import DecisionStep, Level

from .model import (
    LEVEL_MARKER,
    STEP_QUESTION,
    Assessment,
    CheckItem,
    Message,
    MethodMatrix,
    Questionnaire,
    Rule,
    StepMethods,
    Text,
    highest,
    lowest,
)

STEPS_PASSED = "STEPS_PASSED"
RECOMMENDED_LEVEL = "RECOMMENDED_LEVEL"
FLOOR_BLOCKED = "FLOOR_BLOCKED"
SET_ASIDE = "SET_ASIDE"
# The confidence text for unknowns too few to lower the confidence (version 3 onwards).
UNKNOWNS_UNCHANGED = "unknowns_unchanged"
CONFIDENCE = ("low", "medium", "high")


def assess(
    questionnaire: Questionnaire,
    answers: Mapping[str, object],
    methods: MethodMatrix | None = None,
) -> Assessment:
    """Recommend a level for ``answers`` ({question_id: option_id}); deterministic."""
    chosen = checked_answers(questionnaire, answers)
    fired = [rule for rule in questionnaire.rules if rule.level_in is None and rule.fires(chosen)]
    scoring = questionnaire.scoring

    steps = list(DecisionStep)
    current = DecisionStep(chosen[STEP_QUESTION])
    ahead = steps[steps.index(current) :]
    scores = {step: sum(rule.weight for rule in fired if rule.weighs_at(step)) for step in ahead}
    starts = {step: scoring.level_for(scores[step]) if scoring else Level.PARTNERSHIP for step in ahead}
    ceilings = {step: ceiling_at(step, fired) for step in ahead}
    levels_by_step = {step: _level_at(step, starts[step], fired) for step in ahead}
    level = levels_by_step[current]

    label = questionnaire.level_label(level)
    reasons = [
        Message(
            RECOMMENDED_LEVEL,
            questionnaire.summary.sv.replace(LEVEL_MARKER, label.sv.lower()),
            questionnaire.summary.en.replace(LEVEL_MARKER, label.en.lower()),
        )
    ]
    warnings = []
    set_aside = False
    for rule in fired:
        # The steps still ahead that the rule is about: a rule for every step speaks of the current one.
        home = [step for step in ahead if rule.applies_to(step)] if rule.only_on_steps else [current]
        argued = rule.argued_level
        # A reason never speaks for a level that a ceiling rules out at the step it is about.
        holds = [step for step in home if argued is None or argued.rank <= ceilings[step].rank]
        if not holds:
            set_aside = set_aside or bool(home)
            continue
        shown_steps = tuple(step.value for step in holds) if rule.only_on_steps else None
        reasons.append(_reason(rule, scoring is not None, shown_steps))
        if rule.warning is not None:
            warnings.append(_message(rule.code, rule.warning))
    if set_aside and questionnaire.set_aside is not None:
        reasons.append(_message(SET_ASIDE, questionnaire.set_aside))
    if current is not steps[0]:
        reasons.append(_message(STEPS_PASSED, questionnaire.passed_steps))

    floors = [rule.at_least for rule in fired if rule.at_least is not None and rule.applies_to(current)]
    if floors and highest(floors).rank > level.rank and questionnaire.floor_blocked is not None:
        warnings.append(_message(FLOOR_BLOCKED, questionnaire.floor_blocked))
    for rule in questionnaire.rules:
        if rule.level_in is not None and level in rule.level_in and rule.fires(chosen) and rule.warning:
            warnings.append(_message(rule.code, rule.warning))

    confidence, confidence_reasons = _confidence(questionnaire, chosen, scores[current], starts[current], level)
    return Assessment(
        questionnaire_version=questionnaire.version,
        answers=chosen,
        level=level,
        levels_by_step=levels_by_step,
        reasons=tuple(reasons),
        warnings=tuple(warnings),
        score=scores[current] if scoring else None,
        confidence=confidence,
        confidence_reasons=confidence_reasons,
        methods=_methods(methods, levels_by_step),
        checklist=tuple(
            CheckItem(
                principle=principle.id,
                name=principle.name,
                check=principle.check,
                notes=tuple(note.text for note in principle.notes if note.applies(chosen)),
            )
            for principle in questionnaire.principles
        ),
        rules_digest=questionnaire.digest or None,
    )


def ceiling_at(step: DecisionStep, fired: list[Rule]) -> Level:
    """The highest level the fired ceilings allow at ``step``."""
    return lowest([Level.PARTNERSHIP, *(rule.at_most for rule in fired if rule.at_most and rule.applies_to(step))])


def _level_at(step: DecisionStep, start: Level, fired: list[Rule]) -> Level:
    floors = [rule.at_least for rule in fired if rule.at_least is not None and rule.applies_to(step)]
    return lowest([highest([start, *floors]), ceiling_at(step, fired)])


def _confidence(
    questionnaire: Questionnaire, chosen: Mapping[str, str], score: int, start: Level, level: Level
) -> tuple[str | None, tuple[Message, ...]]:
    """How sure the advice is, and why, from one rule: each sentence says what moved the confidence.

    A clear ceiling or minimum, or a score far from a border, starts high; every
    ``unknowns_per_step`` questions unanswered or answered "don't know" lower it one step. The
    sentence about unknowns says that they lower it only when they did; otherwise (fewer than
    ``unknowns_per_step``) it says that they did not, where the questionnaire has that text.
    """
    scoring = questionnaire.scoring
    if scoring is None:
        return None, ()
    reasons = []
    if level is not start:
        rank = 2
        reasons.append(_message("LIMIT_DECIDES", scoring.texts["limit_decides"]))
    else:
        margin = scoring.margin(score, level)
        rank = 2 if margin >= scoring.high_margin else 1 if margin >= scoring.medium_margin else 0
        key = "clear_margin" if rank == 2 else "near_border"
        reasons.append(_message(key.upper(), scoring.texts[key]))
    unknowns = 0
    for question in questionnaire.questions:
        option = question.option(chosen[question.id]) if question.id in chosen else None
        if option is None or option.unsure:
            unknowns += 1
    drop = unknowns // scoring.unknowns_per_step
    rank = max(0, rank - drop)
    said = "unknowns" if drop else UNKNOWNS_UNCHANGED if unknowns else None
    if said is not None and said in scoring.texts:
        text, count = scoring.texts[said], str(unknowns)
        code = said.upper()
        reasons.append(Message(code, text.sv.replace("{count}", count), text.en.replace("{count}", count)))
    return CONFIDENCE[rank], tuple(reasons)


def _methods(matrix: MethodMatrix | None, levels_by_step: Mapping[DecisionStep, Level]) -> tuple[StepMethods, ...]:
    if matrix is None:
        return ()
    found = []
    for step, level in levels_by_step.items():
        cell = matrix.cell(level, step)
        if cell is not None:
            found.append(StepMethods(step=step, level=level, methods=cell.methods, verified=cell.verified))
    return tuple(found)


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


def _reason(rule: Rule, scored: bool, steps: tuple[str, ...] | None = None) -> Message:
    if not scored:
        return Message(rule.code, rule.reason.sv, rule.reason.en, steps=steps)
    return Message(
        rule.code, rule.reason.sv, rule.reason.en, direction=rule.direction.value, weight=rule.weight, steps=steps
    )


def _message(code: str, text: Text) -> Message:
    return Message(code=code, sv=text.sv, en=text.en)
