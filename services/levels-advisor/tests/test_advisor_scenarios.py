"""Realistic planning situations and the advice version 2 gives, with the reason that decides it."""

from dataclasses import dataclass, field

import pytest

from samverkan_advisor.adapters.questionnaires import load_methods, load_questionnaire
from samverkan_advisor.domain.advice import assess
from samverkan_common.participation import DecisionStep, Level

QUESTIONNAIRE = load_questionnaire(2)
METHODS = load_methods()

# An ordinary situation: drafting, the content open, a committee that listens but decides,
# a few groups affected, some knowledge out there, two to six months, meetings but no money.
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
    "facilitation": "no",
    "legal_duty": "no",
}


@dataclass(frozen=True)
class Scenario:
    name: str
    answers: dict[str, str]
    level: Level
    reason: str  # the code of the reason that decides it
    warnings: set[str] = field(default_factory=set)


SCENARIOS = [
    Scenario(
        "decision already taken: the regional board has adopted the budget frame",
        {**ORDINARY, "step": "decision", "decision_open": "no"},
        Level.INFORMATION,
        "DECISION_CLOSED",
        {"DECISION_CLOSED", "LATE_STEP"},
    ),
    Scenario(
        "open agenda, contested, mandate and resources, organisations carry out part of the work",
        {
            **ORDINARY,
            "step": "agenda_setting",
            "negotiable": "whether",
            "mandate": "shared_responsibility",
            "contested": "high",
            "shared_work": "yes",
            "time_to_decision": "over_six_months",
            "compensation": "yes",
            "facilitation": "yes",
        },
        Level.PARTNERSHIP,
        "SHARED_MANDATE",
    ),
    Scenario(
        "drafting with a legal duty to consult and three weeks left",
        {**ORDINARY, "legal_duty": "yes", "time_to_decision": "three_to_eight_weeks"},
        Level.CONSULTATION,
        "SHORT_TIME",
        {"SHORT_TIME"},
    ),
    Scenario(
        "the ordinary case: BMR drafts an action plan for human rights",
        ORDINARY,
        Level.DIALOGUE,
        "SOME_MANDATE",
    ),
    Scenario(
        "nothing negotiable: a national rule the region must follow",
        {**ORDINARY, "negotiable": "nothing"},
        Level.INFORMATION,
        "NOTHING_NEGOTIABLE",
        {"NOTHING_NEGOTIABLE"},
    ),
    Scenario(
        "the committee has no mandate to share influence yet",
        {**ORDINARY, "mandate": "none"},
        Level.INFORMATION,
        "NO_MANDATE",
        {"NO_MANDATE"},
    ),
    Scenario(
        "timetable change in public transport: only the how is open, the law asks for consultation",
        {
            **ORDINARY,
            "negotiable": "how",
            "contested": "low",
            "affected": "many",
            "knowledge": "no",
            "time_to_decision": "three_to_eight_weeks",
            "legal_duty": "yes",
        },
        Level.CONSULTATION,
        "LEGAL_DUTY",
        {"SHORT_TIME"},
    ),
    Scenario(
        "a non-profit public partnership (IOP) for a women's shelter, at implementation",
        {
            **ORDINARY,
            "step": "implementation",
            "negotiable": "how",
            "knowledge": "yes",
            "shared_work": "yes",
            "compensation": "yes",
            "time_to_decision": "over_six_months",
        },
        Level.PARTNERSHIP,
        "SHARED_WORK",
    ),
    Scenario(
        "the pensioners' council follows up a health care reform",
        {**ORDINARY, "step": "monitoring", "knowledge": "yes", "contested": "low"},
        Level.DIALOGUE,
        "ORGANISATIONS_KNOW_MORE",
    ),
    Scenario(
        "late: the proposal is written and only details are open",
        {
            **ORDINARY,
            "step": "decision",
            "contested": "low",
            "affected": "few",
            "knowledge": "no",
        },
        Level.CONSULTATION,
        "LATE_STEP",
        {"LATE_STEP"},
    ),
    Scenario(
        "partnership wanted but no money for the organisations' time",
        {
            **ORDINARY,
            "step": "agenda_setting",
            "negotiable": "whether",
            "mandate": "shared_responsibility",
            "contested": "high",
            "shared_work": "yes",
            "time_to_decision": "over_six_months",
            "compensation": "no",
            "facilitation": "yes",
        },
        Level.DIALOGUE,
        "PARTNERSHIP_WITHOUT_RESOURCES",
        {"PARTNERSHIP_WITHOUT_RESOURCES"},
    ),
    Scenario(
        "less than three weeks left and no legal duty",
        {**ORDINARY, "time_to_decision": "under_three_weeks"},
        Level.CONSULTATION,
        "TOO_LITTLE_TIME",
        {"TOO_LITTLE_TIME"},
    ),
    Scenario(
        "no staff or venue for meetings: a written consultation",
        {**ORDINARY, "mandate": "shared_responsibility", "meeting_resources": "no"},
        Level.CONSULTATION,
        "NO_MEETINGS",
    ),
    Scenario(
        "a law requires consultation but the decision is already taken",
        {**ORDINARY, "decision_open": "no", "legal_duty": "yes"},
        Level.INFORMATION,
        "DECISION_CLOSED",
        {"DECISION_CLOSED", "FLOOR_BLOCKED"},
    ),
    Scenario(
        "a contested issue about healthcare for undocumented migrants, with nobody to lead the talks",
        {**ORDINARY, "contested": "high", "knowledge": "yes"},
        Level.DIALOGUE,
        "CONTESTED",
        {"CONTESTED_WITHOUT_FACILITATOR"},
    ),
    Scenario(
        "unsure whether the law requires consultation",
        {**ORDINARY, "legal_duty": "unsure"},
        Level.DIALOGUE,
        "SOME_MANDATE",
        {"LEGAL_DUTY_UNKNOWN"},
    ),
]


def codes(messages):
    return [message.code for message in messages]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_scenario_gets_the_expected_level_for_the_expected_reason(scenario):
    assessment = assess(QUESTIONNAIRE, scenario.answers, METHODS)

    assert assessment.level is scenario.level
    assert scenario.reason in codes(assessment.reasons)
    assert set(codes(assessment.warnings)) == scenario.warnings
    assert assessment.reasons[0].code == "RECOMMENDED_LEVEL"


def test_there_are_at_least_twelve_scenarios():
    assert len(SCENARIOS) >= 12


def test_decisive_limit_is_shown_as_a_limit_and_weights_as_pushes():
    assessment = assess(QUESTIONNAIRE, SCENARIOS[10].answers)
    by_code = {reason.code: reason for reason in assessment.reasons}

    assert by_code["PARTNERSHIP_WITHOUT_RESOURCES"].direction == "limit"
    assert by_code["SHARED_WORK"].direction == "up"
    assert by_code["SHARED_WORK"].weight == 3
    assert assessment.confidence == "high"  # a limit decides


def test_warning_texts_say_what_the_brief_asks():
    closed = assess(QUESTIONNAIRE, SCENARIOS[0].answers)
    no_money = assess(QUESTIONNAIRE, SCENARIOS[10].answers)
    rushed = assess(QUESTIONNAIRE, SCENARIOS[11].answers)

    assert "only information is honest" in closed.warnings[0].en
    assert "Partnership without resources will fail" in no_money.warnings[0].en
    assert "organisations cannot consult their members" in rushed.warnings[0].en


def test_committee_that_decides_alone_may_still_share_the_work_after_the_decision():
    answers = {**ORDINARY, "step": "drafting", "shared_work": "yes", "compensation": "yes", "knowledge": "yes"}

    assessment = assess(QUESTIONNAIRE, answers)

    assert assessment.levels_by_step[DecisionStep.DRAFTING] is Level.DIALOGUE
    assert assessment.levels_by_step[DecisionStep.IMPLEMENTATION] is Level.PARTNERSHIP
    assert "WORK_WITHOUT_SHARED_RESPONSIBILITY" in codes(assessment.warnings)


def test_methods_follow_the_level_at_each_step():
    assessment = assess(
        QUESTIONNAIRE, {**ORDINARY, "legal_duty": "yes", "time_to_decision": "three_to_eight_weeks"}, METHODS
    )

    drafting = assessment.methods[0]
    assert (drafting.step, drafting.level) == (DecisionStep.DRAFTING, Level.CONSULTATION)
    assert "Hearings and question-and-answer sessions" in [method.en for method in drafting.methods]
    assert drafting.verified is False


def test_partnership_at_drafting_suggests_co_drafting():
    assessment = assess(QUESTIONNAIRE, SCENARIOS[1].answers, METHODS)

    drafting = next(item for item in assessment.methods if item.step is DecisionStep.DRAFTING)
    assert "Co-drafting" in [method.en for method in drafting.methods]


def test_skipped_questions_lower_the_confidence():
    required_only = {key: ORDINARY[key] for key in ORDINARY if QUESTIONNAIRE.question(key).required}
    # Score 9: two from the border of dialogue below and four from partnership above.
    full = assess(QUESTIONNAIRE, {**ORDINARY, "affected": "few"})
    sparse = assess(QUESTIONNAIRE, required_only)

    assert full.confidence == "high"
    assert sparse.confidence == "low"
    assert "UNKNOWNS" in codes(sparse.confidence_reasons)


def test_score_on_a_border_gives_low_confidence():
    # what 3 + some 1 + some time 1 + early 2 = 7: exactly the lowest score for dialogue.
    answers = {**ORDINARY, "contested": "low", "affected": "few", "knowledge": "no"}

    assessment = assess(QUESTIONNAIRE, answers)

    assert assessment.score == 7
    assert assessment.level is Level.DIALOGUE
    assert assessment.confidence == "low"


def test_checklist_marks_the_principles_that_need_attention():
    assessment = assess(QUESTIONNAIRE, SCENARIOS[1].answers)
    attention = {item.principle for item in assessment.checklist if item.attention}

    assert len(assessment.checklist) == 6
    # The organisations do part of the work; certain groups are especially affected.
    assert attention == {"independence", "diversity"}


def test_every_assessment_names_the_exact_rules_it_used():
    assessment = assess(QUESTIONNAIRE, ORDINARY)

    assert assessment.questionnaire_version == 2
    assert assessment.rules_digest == QUESTIONNAIRE.digest
    assert len(QUESTIONNAIRE.digest) == 64
