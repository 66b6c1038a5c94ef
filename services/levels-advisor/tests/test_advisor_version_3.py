"""Version 3: the level differs from step to step, three new warnings, and reasons that never contradict the advice."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samverkan_advisor.adapters.questionnaires import load_methods, load_questionnaire
from samverkan_advisor.domain.advice import assess
from samverkan_common.participation import DecisionStep, Level

QUESTIONNAIRE = load_questionnaire(3)
METHODS = load_methods()
RULES = {rule.code: rule for rule in QUESTIONNAIRE.rules}
STEPS = list(DecisionStep)

# BMR drafts an action plan: the content open, a committee that listens but decides alone, some groups
# affected, two to six months, meetings but no money, and the region carries the plan out itself.
ORDINARY = {
    "step": "drafting",
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
    "small_organisations": "no",
    "equal_terms": "yes",
    "facilitation": "no",
    "legal_duty": "no",
    "intended_level": "not_decided",
}
INFO, C, D, P = Level.INFORMATION, Level.CONSULTATION, Level.DIALOGUE, Level.PARTNERSHIP


def codes(messages):
    return [message.code for message in messages]


def levels(assessment):
    return [assessment.levels_by_step[step] for step in STEPS if step in assessment.levels_by_step]


@dataclass(frozen=True)
class StepScenario:
    name: str
    changes: dict[str, str]
    # From the current step to the last.
    levels: list[Level]
    # Reasons about only some steps, as {code: steps}.
    step_reasons: dict[str, tuple[str, ...]] = field(default_factory=dict)


STEP_SCENARIOS = [
    StepScenario(
        "the agenda is being set: dialogue now and while drafting, consultation on the finished draft",
        {"step": "agenda_setting"},
        [D, D, C, C, D, D],
        {"OPEN_EARLY": ("agenda_setting", "drafting"), "DRAFT_FINISHED": ("decision",)},
    ),
    StepScenario(
        "the proposal is finished and about to be decided: consultation on it",
        {"step": "decision"},
        [C, C, D, D],
        {"DRAFT_FINISHED": ("decision",), "EXPERIENCE_AFTERWARDS": ("monitoring", "reformulation")},
    ),
    StepScenario(
        "the organisations run part of it: partnership once the decision is carried out",
        {"shared_work": "yes", "compensation": "yes", "knowledge": "yes"},
        [D, C, P, P, P],
        {"SHARED_WORK_IN_PRACTICE": ("implementation",)},
    ),
    StepScenario(
        "the region carries the decision out alone: consultation on how it works",
        {"step": "implementation"},
        [C, D, D],
        {"REGION_DOES_THE_WORK": ("implementation",)},
    ),
    StepScenario(
        "six weeks to the decision: consultation until it, dialogue when it is followed up",
        {"time_to_decision": "three_to_eight_weeks"},
        [C, C, C, D, D],
        {"SHORT_TIME": ("drafting", "decision")},
    ),
    StepScenario(
        "six weeks to the next decision while following up: every step ahead is short of time",
        {"step": "monitoring", "time_to_decision": "three_to_eight_weeks"},
        [C, C],
    ),
    StepScenario(
        "a committee ready to share decides together with the organisations",
        {
            "step": "agenda_setting",
            "negotiable": "whether",
            "mandate": "shared_responsibility",
            "shared_work": "yes",
            "compensation": "yes",
            "time_to_decision": "over_six_months",
        },
        [P, P, P, P, P, P],
    ),
    StepScenario(
        "the decision is already taken: information at every step",
        {"decision_open": "no"},
        [INFO, INFO, INFO, INFO, INFO],
    ),
]


@pytest.mark.parametrize("scenario", STEP_SCENARIOS, ids=[s.name for s in STEP_SCENARIOS])
def test_the_level_differs_from_step_to_step_where_the_answers_say_so(scenario):
    assessment = assess(QUESTIONNAIRE, {**ORDINARY, **scenario.changes}, METHODS)

    assert levels(assessment) == scenario.levels
    assert assessment.level is scenario.levels[0]
    shown = {reason.code: reason.steps for reason in assessment.reasons}
    for code, steps in scenario.step_reasons.items():
        assert shown[code] == steps
    # The methods follow the level of each step, so they differ too.
    assert [(item.step, item.level) for item in assessment.methods] == list(assessment.levels_by_step.items())


def test_the_ordinary_plan_is_not_the_same_level_everywhere():
    assessment = assess(QUESTIONNAIRE, {**ORDINARY, "step": "agenda_setting"})

    assert len(set(assessment.levels_by_step.values())) > 1


# Each new warning and the answers that call for it, stated here apart from the rules file.
def small_organisations_unpaid(answers, level):
    return (
        answers.get("small_organisations") == "yes"
        and answers.get("compensation") in {"no", "unsure"}
        and level is not Level.INFORMATION
    )


def unequal_terms(answers, level):
    return answers.get("equal_terms") in {"partly", "no"}


def offer_after_decision_taken(answers, level):
    return answers.get("intended_level") in {"consultation", "dialogue", "partnership"} and (
        answers["decision_open"] == "no"
    )


def offer_with_nothing_negotiable(answers, level):
    return (
        answers.get("intended_level") in {"consultation", "dialogue", "partnership"}
        and answers["decision_open"] == "yes"
        and answers["negotiable"] == "nothing"
    )


def offer_above_advice(answers, level):
    intended = answers.get("intended_level")
    something_open = answers["decision_open"] == "yes" and answers["negotiable"] != "nothing"
    return (
        something_open and intended in {"consultation", "dialogue", "partnership"} and Level(intended).rank > level.rank
    )


WARNINGS = {
    "SMALL_ORGANISATIONS_UNPAID": small_organisations_unpaid,
    "UNEQUAL_TERMS": unequal_terms,
    "OFFER_AFTER_DECISION_TAKEN": offer_after_decision_taken,
    "OFFER_WITH_NOTHING_NEGOTIABLE": offer_with_nothing_negotiable,
}
OFFER_ABOVE = {"OFFER_PARTNERSHIP_ABOVE_ADVICE", "OFFER_DIALOGUE_ABOVE_ADVICE", "OFFER_CONSULTATION_ABOVE_ADVICE"}


def answers_strategy():
    """Any answers a planner can give: every required question answered, any optional one maybe skipped."""
    parts = {}
    for question in QUESTIONNAIRE.questions:
        choice = st.sampled_from(question.option_ids)
        parts[question.id] = choice if question.required else st.one_of(st.none(), choice)
    return st.fixed_dictionaries(parts).map(lambda answers: {k: v for k, v in answers.items() if v is not None})


@settings(max_examples=600, deadline=None)
@given(answers_strategy())
def test_each_warning_appears_when_and_only_when_its_condition_holds(answers):
    assessment = assess(QUESTIONNAIRE, answers)
    warned = codes(assessment.warnings)

    for code, condition in WARNINGS.items():
        assert (code in warned) == condition(answers, assessment.level), code
    assert bool(OFFER_ABOVE & set(warned)) == offer_above_advice(answers, assessment.level)
    assert len(warned) == len(set(warned))


def ceiling(answers, step):
    """The highest level the fired ceilings allow at ``step``, worked out from the rules file alone."""
    allowed = Level.PARTNERSHIP
    for rule in QUESTIONNAIRE.rules:
        fired = rule.level_in is None and all(answers.get(q) in options for q, options in rule.when.items())
        if fired and rule.at_most is not None and (rule.steps is None or step in rule.steps):
            allowed = min(allowed, rule.at_most, key=lambda level: level.rank)
    return allowed


@settings(max_examples=600, deadline=None)
@given(answers_strategy())
def test_no_reason_argues_for_a_level_above_the_recommended_maximum(answers):
    assessment = assess(QUESTIONNAIRE, answers)
    current = DecisionStep(answers["step"])

    for reason in assessment.reasons:
        rule = RULES.get(reason.code)
        if rule is None or rule.argued_level is None:
            continue
        steps = [DecisionStep(step) for step in reason.steps] if reason.steps else [current]
        for step in steps:
            assert step in assessment.levels_by_step, (reason.code, step)
            assert rule.argued_level.rank <= ceiling(answers, step).rank, (reason.code, step)


def test_a_reason_for_partnership_is_set_aside_when_time_rules_partnership_out():
    answers = {**ORDINARY, "mandate": "shared_responsibility", "time_to_decision": "under_three_weeks"}

    assessment = assess(QUESTIONNAIRE, answers)

    assert assessment.level is Level.CONSULTATION
    assert "SHARED_MANDATE" not in codes(assessment.reasons)  # "That makes partnership possible."
    assert "TOO_LITTLE_TIME" in codes(assessment.reasons)
    assert codes(assessment.reasons)[-2:] == ["SET_ASIDE", "STEPS_PASSED"]


def test_a_legal_duty_the_closed_decision_rules_out_is_warned_about_not_given_as_a_reason():
    assessment = assess(QUESTIONNAIRE, {**ORDINARY, "decision_open": "no", "legal_duty": "yes"})

    assert "LEGAL_DUTY" not in codes(assessment.reasons)
    assert "FLOOR_BLOCKED" in codes(assessment.warnings)


def test_nothing_to_influence_and_dialogue_offered_is_warned_about_in_plain_swedish_and_english():
    assessment = assess(QUESTIONNAIRE, {**ORDINARY, "negotiable": "nothing", "intended_level": "dialogue"})
    [warning] = [w for w in assessment.warnings if w.code == "OFFER_WITH_NOTHING_NEGOTIABLE"]

    assert assessment.level is Level.INFORMATION
    assert "ingenting går att påverka" in warning.sv
    assert "nothing can be influenced" in warning.en


def test_the_warning_on_equal_terms_names_time_place_language_and_accessibility():
    assessment = assess(QUESTIONNAIRE, {**ORDINARY, "equal_terms": "partly"})
    [warning] = [w for w in assessment.warnings if w.code == "UNEQUAL_TERMS"]

    for word in ("tid", "plats", "språk", "tillgänglighet", "kvällar", "rullstol", "tolk"):
        assert word in warning.sv
    for word in ("time of day", "place", "language", "accessibility"):
        assert word in warning.en


def test_small_associations_without_compensation_are_warned_about_unless_only_informed():
    unpaid = {**ORDINARY, "small_organisations": "yes", "compensation": "no"}

    assert "SMALL_ORGANISATIONS_UNPAID" in codes(assess(QUESTIONNAIRE, unpaid).warnings)
    assert "SMALL_ORGANISATIONS_UNPAID" not in codes(assess(QUESTIONNAIRE, {**unpaid, "compensation": "yes"}).warnings)
    assert "SMALL_ORGANISATIONS_UNPAID" not in codes(assess(QUESTIONNAIRE, {**unpaid, "mandate": "none"}).warnings)


@settings(max_examples=600, deadline=None)
@given(answers_strategy())
def test_the_confidence_sentences_never_contradict_the_confidence(answers):
    assessment = assess(QUESTIONNAIRE, answers)
    said = codes(assessment.confidence_reasons)
    unknowns = sum(
        1
        for question in QUESTIONNAIRE.questions
        if question.id not in answers or question.option(answers[question.id]).unsure
    )

    # "That makes the suggestion less certain" only when it did; never beside "high".
    assert ("UNKNOWNS" in said) == (unknowns >= QUESTIONNAIRE.scoring.unknowns_per_step)
    assert ("UNKNOWNS_UNCHANGED" in said) == (0 < unknowns < QUESTIONNAIRE.scoring.unknowns_per_step)
    if "UNKNOWNS" in said:
        assert assessment.confidence != "high"
    for reason in assessment.confidence_reasons:
        if assessment.confidence != "high":
            assert "Därför är förslaget säkert" not in reason.sv


def test_one_unanswered_question_keeps_a_high_confidence_and_says_so():
    answers = {key: value for key, value in ORDINARY.items() if key != "legal_duty"}
    answers.update(time_to_decision="under_three_weeks")  # a clear limit decides

    assessment = assess(QUESTIONNAIRE, answers)

    assert assessment.confidence == "high"
    assert codes(assessment.confidence_reasons) == ["LIMIT_DECIDES", "UNKNOWNS_UNCHANGED"]
    assert assessment.confidence_reasons[1].sv == (
        "Antal frågor utan svar eller med svaret vet inte: 1. Så få gör inte förslaget osäkrare."
    )


def test_two_unknowns_lower_the_confidence_and_say_so():
    answers = {**ORDINARY, "time_to_decision": "under_three_weeks", "legal_duty": "unsure"}
    del answers["facilitation"]

    assessment = assess(QUESTIONNAIRE, answers)

    assert assessment.confidence == "medium"
    assert "osäkrare" in assessment.confidence_reasons[-1].sv
    assert "Så få" not in assessment.confidence_reasons[-1].sv


def test_version_2_still_assesses_as_before_for_old_plans():
    version_2 = load_questionnaire(2)
    answers = {key: value for key, value in ORDINARY.items() if version_2.question(key)}

    assessment = assess(version_2, answers)

    assert assessment.questionnaire_version == 2
    assert set(assessment.levels_by_step.values()) == {Level.DIALOGUE}
