"""The questionnaire's pages are data: related questions shown together, each page under a heading."""

from importlib import resources

import pytest
import yaml

from samverkan_advisor.adapters.questionnaires import QuestionnaireError, load_questionnaire, read_questionnaire
from samverkan_advisor.entrypoints.schemas import questionnaire_out


def v3_with(change) -> str:
    data = yaml.safe_load((resources.files("samverkan_advisor") / "questionnaires/v3.yaml").read_text("utf-8"))
    change(data)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def test_version_3_puts_every_question_on_one_page_in_order_under_a_heading_in_both_languages():
    questionnaire = load_questionnaire(3)
    assert [page.id for page in questionnaire.pages] == ["decision", "issue", "resources", "equal_terms"]
    assert [q for page in questionnaire.pages for q in page.questions] == [q.id for q in questionnaire.questions]
    served = questionnaire_out(questionnaire, "en")
    assert served["pages"][0] == {
        "id": "decision",
        "heading": "About the decision",
        "questions": ["step", "decision_open", "negotiable", "mandate"],
    }
    assert questionnaire_out(questionnaire, "sv")["pages"][3]["heading"] == "Att delta på lika villkor"


@pytest.mark.parametrize("version", [1, 2])
def test_older_versions_have_no_pages_so_the_wizard_shows_one_question_a_page(version):
    assert questionnaire_out(load_questionnaire(version), "sv")["pages"] == []


def test_a_question_left_off_every_page_is_refused():
    def drop(data):
        data["pages"][0]["questions"].remove("mandate")

    with pytest.raises(QuestionnaireError, match="exactly one page"):
        read_questionnaire(v3_with(drop))


def test_pages_out_of_the_questions_order_are_refused():
    def swap(data):
        data["pages"][0], data["pages"][1] = data["pages"][1], data["pages"][0]

    with pytest.raises(QuestionnaireError, match="exactly one page"):
        read_questionnaire(v3_with(swap))


def test_a_page_without_a_heading_in_english_is_refused():
    def untranslated(data):
        del data["pages"][2]["heading"]["en"]

    with pytest.raises(QuestionnaireError, match="pages"):
        read_questionnaire(v3_with(untranslated))
