"""The questionnaire file: complete in both languages, and refused loudly when broken."""

from importlib import resources

import pytest
import yaml

from samverkan_advisor.adapters.questionnaires import (
    CURRENT_VERSION,
    QuestionnaireError,
    load_all_questionnaires,
    load_questionnaire,
    read_questionnaire,
)
from samverkan_advisor.entrypoints.providers import QuestionnaireProvider
from samverkan_common.participation import DecisionStep, Level

V1_TEXT = (resources.files("samverkan_advisor") / "questionnaires" / "v1.yaml").read_text(encoding="utf-8")


def v1_data():
    return yaml.safe_load(V1_TEXT)


def broken(change):
    data = v1_data()
    change(data)
    with pytest.raises(QuestionnaireError) as refused:
        read_questionnaire(yaml.safe_dump(data, allow_unicode=True), source="broken.yaml")
    return refused.value


def test_current_questionnaire_is_version_3_and_versions_1_and_2_still_load():
    assert CURRENT_VERSION == 3
    assert load_questionnaire().version == 3
    assert sorted(load_all_questionnaires()) == [1, 2, 3]
    for questionnaire in load_all_questionnaires().values():
        assert [info.id for info in questionnaire.levels] == list(Level)


@pytest.mark.parametrize("version", [1, 2, 3])
def test_every_question_and_option_speaks_swedish_and_english(version):
    questionnaire = load_questionnaire(version)

    for question in questionnaire.questions:
        for text in (question.text, question.help, *(option.label for option in question.options)):
            assert text.sv.strip()
            assert text.en.strip()
            assert text.sv != text.en or text.sv == "Information"


def test_version_1_asked_what_the_first_brief_asked():
    questionnaire = load_questionnaire(1)
    options = {question.id: question.option_ids for question in questionnaire.questions}

    assert options == {
        "step": tuple(DecisionStep),
        "decision_open": ("yes", "no"),
        "negotiable": ("nothing", "how", "what", "whether"),
        "mandate": ("none", "some", "shared_responsibility"),
        "shared_work": ("yes", "no"),
        "time_to_decision": ("under_one_month", "one_to_six_months", "over_six_months"),
    }


@pytest.mark.parametrize("version", [1, 2, 3])
def test_every_rule_explains_itself_in_both_languages(version):
    for rule in load_questionnaire(version).rules:
        assert rule.reason.sv.strip()
        assert rule.reason.en.strip()
        if rule.warning:
            assert rule.warning.sv.strip()
            assert rule.warning.en.strip()


def test_missing_english_is_refused():
    def drop_english(data):
        del data["questions"][2]["help"]["en"]

    error = broken(drop_english)

    assert error.messages == {"questions": {2: {"help": {"en": ["Missing data for required field."]}}}}


def test_rule_about_an_unknown_option_is_refused():
    def misspell(data):
        data["rules"][1]["when"] = {"negotiable": ["nothing_at_all"]}

    error = broken(misspell)

    assert error.messages == {"rules": {1: {"when": ["Question 'negotiable' has no option 'nothing_at_all'."]}}}


def test_rule_about_an_unknown_question_is_refused():
    def misspell(data):
        data["rules"][0]["when"] = {"decision_still_open": ["no"]}

    assert "decision_still_open" in str(broken(misspell))


def test_unknown_level_is_refused():
    def misspell(data):
        data["rules"][0]["at_most"] = "co_decision"

    assert "at_most" in str(broken(misspell).messages["rules"][0])


def test_steps_must_be_the_six_decision_steps_in_order():
    def reorder(data):
        options = data["questions"][0]["options"]
        options[0], options[1] = options[1], options[0]

    assert "questions" in broken(reorder).messages


def test_unquoted_yes_is_refused_not_read_as_true():
    text = V1_TEXT.replace('- id: "yes"', "- id: yes", 1)

    with pytest.raises(QuestionnaireError, match="Not a valid string"):
        read_questionnaire(text)


def test_unknown_field_is_refused():
    def add_field(data):
        data["questions"][0]["colour"] = "red"

    assert broken(add_field).messages == {"questions": {0: {"colour": ["Unknown field."]}}}


def test_file_that_is_not_yaml_is_refused():
    with pytest.raises(QuestionnaireError, match="not valid YAML"):
        read_questionnaire("version: [1")


def test_service_loads_the_questionnaire_when_it_starts():
    provider = QuestionnaireProvider()
    provider.setup()

    library = provider.get_dependency(worker_ctx=None)
    assert library.current.version == CURRENT_VERSION
    assert library.by_version(1).version == 1
    assert len(library.methods.cells) == 24


def test_service_with_a_missing_questionnaire_does_not_start():
    with pytest.raises(FileNotFoundError):
        QuestionnaireProvider(version=999).setup()


def test_version_3_asks_what_version_2_asked_and_three_questions_more():
    before = {question.id: question.option_ids for question in load_questionnaire(2).questions}
    after = {question.id: question.option_ids for question in load_questionnaire(3).questions}

    assert {key: after[key] for key in before} == before
    assert set(after) - set(before) == {"small_organisations", "equal_terms", "intended_level"}
    assert not any(load_questionnaire(3).question(key).required for key in set(after) - set(before))


def test_a_rule_limited_to_steps_must_do_something_there():
    def note_on_steps(data):
        rule = data["rules"][0]
        del rule["at_most"]
        rule["steps"] = ["decision"]

    def weight_on_steps(data):
        rule = data["rules"][0]
        del rule["at_most"]
        rule["steps"] = ["decision"]
        rule["weight"] = 2

    assert "steps" in broken(note_on_steps).messages["rules"][0]
    data = v1_data()
    weight_on_steps(data)
    questionnaire = read_questionnaire(yaml.safe_dump(data, allow_unicode=True))
    assert questionnaire.rules[0].weighs_at(DecisionStep.DECISION)
    assert not questionnaire.rules[0].weighs_at(DecisionStep.DRAFTING)


def test_a_reason_can_only_argue_for_one_of_the_four_levels():
    def misspell(data):
        data["rules"][0]["argues_for"] = "co_decision"

    assert "argues_for" in broken(misspell).messages["rules"][0]
