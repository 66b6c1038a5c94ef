"""The rules of questionnaire version 1 (a table of ceilings only), as a planner would state them."""

from itertools import product

import pytest

from samverkan_advisor.adapters.questionnaires import load_questionnaire
from samverkan_advisor.domain.advice import assess
from samverkan_common.errors import Invalid
from samverkan_common.participation import DecisionStep, Level

QUESTIONNAIRE = load_questionnaire(1)

# Everything open, a committee ready to share, organisations doing part of the work, time enough.
OPEN = {
    "step": "agenda_setting",
    "decision_open": "yes",
    "negotiable": "whether",
    "mandate": "shared_responsibility",
    "shared_work": "yes",
    "time_to_decision": "over_six_months",
}


def advise(**changes):
    return assess(QUESTIONNAIRE, {**OPEN, **changes})


def codes(messages):
    return [message.code for message in messages]


def test_shared_work_and_mandate_recommend_partnership():
    assessment = advise()

    assert assessment.level is Level.PARTNERSHIP
    assert set(assessment.levels_by_step.values()) == {Level.PARTNERSHIP}
    assert assessment.warnings == ()


def test_nothing_negotiable_recommends_information_only():
    assessment = advise(negotiable="nothing")

    assert assessment.level is Level.INFORMATION
    assert set(assessment.levels_by_step.values()) == {Level.INFORMATION}
    assert "NOTHING_NEGOTIABLE" in codes(assessment.reasons)
    [warning] = assessment.warnings
    assert warning.en == "Nothing is negotiable: only information is honest."
    assert warning.sv == "Inget går att påverka: bara information är ärligt."


def test_closed_decision_recommends_information_only():
    assessment = advise(decision_open="no")

    assert assessment.level is Level.INFORMATION
    assert codes(assessment.warnings) == ["DECISION_CLOSED"]


def test_committee_without_mandate_recommends_information_only():
    assessment = advise(mandate="none", shared_work="no")

    assert assessment.level is Level.INFORMATION
    assert codes(assessment.warnings) == ["NO_MANDATE"]


def test_levels_are_given_from_the_current_step_onwards_and_passed_steps_are_explained():
    assessment = advise(step="implementation")

    assert assessment.levels_by_step == {
        DecisionStep.IMPLEMENTATION: Level.PARTNERSHIP,
        DecisionStep.MONITORING: Level.PARTNERSHIP,
        DecisionStep.REFORMULATION: Level.PARTNERSHIP,
    }
    assert "STEPS_PASSED" in codes(assessment.reasons)


def test_at_the_first_step_no_step_has_passed():
    assert "STEPS_PASSED" not in codes(advise(step="agenda_setting").reasons)


def test_committee_that_decides_alone_gets_dialogue_at_most():
    assert advise(mandate="some", shared_work="no").level is Level.DIALOGUE


def test_without_shared_work_dialogue_is_the_most():
    assert advise(shared_work="no").level is Level.DIALOGUE


def test_only_how_open_and_no_shared_work_recommends_consultation():
    assert advise(negotiable="how", shared_work="no").level is Level.CONSULTATION


def test_only_how_open_with_shared_work_allows_partnership_as_in_an_iop():
    assessment = advise(step="implementation", negotiable="how")

    assert assessment.level is Level.PARTNERSHIP
    assert "HOW_NEGOTIABLE_WITH_SHARED_WORK" in codes(assessment.reasons)


def test_work_without_shared_responsibility_warns():
    assessment = advise(mandate="some")

    assert assessment.level is Level.DIALOGUE
    assert codes(assessment.warnings) == ["WORK_WITHOUT_SHARED_RESPONSIBILITY"]


def test_less_than_a_month_left_allows_consultation_at_most_and_warns():
    assessment = advise(time_to_decision="under_one_month")

    assert assessment.level is Level.CONSULTATION
    assert codes(assessment.warnings) == ["LITTLE_TIME"]


def test_reaching_the_decision_step_warns_to_start_earlier_next_time():
    assert codes(advise(step="decision").warnings) == ["LATE_STEP"]


def test_first_reason_names_the_recommended_level_in_both_languages():
    first = advise(shared_work="no").reasons[0]

    assert first.code == "RECOMMENDED_LEVEL"
    assert first.sv.startswith("Förslag: dialog.")
    assert first.en.startswith("Suggestion: dialogue.")


def test_every_rule_that_fires_explains_itself_unless_a_lower_ceiling_rules_its_level_out():
    assessment = advise(negotiable="how", shared_work="no", time_to_decision="under_one_month")

    # NO_SHARED_WORK says dialogue is the highest level; a lower ceiling (consultation) sets it aside.
    assert codes(assessment.reasons) == [
        "RECOMMENDED_LEVEL",
        "ONLY_HOW_NEGOTIABLE",
        "SHARED_MANDATE",
        "LITTLE_TIME",
        "EARLY_STEP",
    ]
    assert all(reason.sv and reason.en for reason in assessment.reasons)


ALL_ANSWERS = [
    dict(zip([q.id for q in QUESTIONNAIRE.questions], combination, strict=True))
    for combination in product(*(q.option_ids for q in QUESTIONNAIRE.questions))
]


def test_for_every_combination_of_answers_no_step_exceeds_what_is_honest():
    steps = list(DecisionStep)
    for answers in ALL_ANSWERS:
        assessment = assess(QUESTIONNAIRE, answers)
        current = steps.index(DecisionStep(answers["step"]))
        assert list(assessment.levels_by_step) == steps[current:]
        for level in assessment.levels_by_step.values():
            assert level.rank <= assessment.level.rank
        nothing_open = (
            answers["negotiable"] == "nothing" or answers["decision_open"] == "no" or answers["mandate"] == "none"
        )
        if nothing_open:
            assert assessment.level is Level.INFORMATION, answers
        if assessment.level is Level.PARTNERSHIP:
            assert answers["mandate"] == "shared_responsibility", answers
            assert answers["shared_work"] == "yes", answers


def test_same_answers_give_the_same_advice():
    first, second = advise(mandate="some"), advise(mandate="some")

    assert (first.level, first.levels_by_step, first.reasons, first.warnings) == (
        second.level,
        second.levels_by_step,
        second.reasons,
        second.warnings,
    )


def test_unknown_option_is_named():
    with pytest.raises(Invalid) as refused:
        advise(negotiable="everything")

    assert refused.value.code == "ANSWERS_INVALID"
    assert list(refused.value.errors) == ["answers.negotiable"]
    assert "nothing, how, what, whether" in refused.value.errors["answers.negotiable"][0]


def test_unknown_question_is_named():
    with pytest.raises(Invalid) as refused:
        advise(colour="red")

    assert list(refused.value.errors) == ["answers.colour"]


def test_missing_answer_is_named():
    answers = {**OPEN}
    del answers["mandate"]
    del answers["step"]

    with pytest.raises(Invalid) as refused:
        assess(QUESTIONNAIRE, answers)

    assert refused.value.errors == {
        "answers.mandate": ["An answer is required."],
        "answers.step": ["An answer is required."],
    }


@pytest.mark.parametrize("answer", [True, None, 3, ["yes"]])
def test_answer_that_is_not_an_option_id_is_named(answer):
    with pytest.raises(Invalid) as refused:
        advise(shared_work=answer)

    assert list(refused.value.errors) == ["answers.shared_work"]
