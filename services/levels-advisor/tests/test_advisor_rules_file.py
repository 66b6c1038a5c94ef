"""The rules are data: the secretariat changes the file, not the code."""

import yaml

from samverkan_advisor.adapters.questionnaires import load_questionnaire, read_questionnaire
from samverkan_advisor.domain.advice import assess
from samverkan_common.participation import Level

V2_PATH = "questionnaires/v2.yaml"

# The pensioners' council follows up a reform: score 3 + 1 + 1 + 2 + 2 + 1 = 10, dialogue.
ANSWERS = {
    "step": "monitoring",
    "decision_open": "yes",
    "negotiable": "what",
    "mandate": "some",
    "contested": "some",
    "affected": "groups",
    "knowledge": "yes",
    "shared_work": "no",
    "time_to_decision": "two_to_six_months",
    "meeting_resources": "yes",
    "compensation": "no",
    "facilitation": "no",
    "legal_duty": "no",
}


def modified_copy(tmp_path, change):
    """Write a changed copy of the packaged rules file, as the secretariat would, and read it."""
    from importlib import resources

    original = (resources.files("samverkan_advisor") / V2_PATH).read_text(encoding="utf-8")
    data = yaml.safe_load(original)
    change(data)
    copy = tmp_path / "v2.yaml"
    copy.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return read_questionnaire(copy.read_text(encoding="utf-8"), source=str(copy))


def set_weight(code, weight):
    def change(data):
        rule = next(rule for rule in data["rules"] if rule["code"] == code)
        rule["weight"] = weight

    return change


def test_changing_a_weight_in_the_rules_file_changes_the_recommendation(tmp_path):
    before = assess(load_questionnaire(2), ANSWERS)
    after = assess(modified_copy(tmp_path, set_weight("ORGANISATIONS_KNOW_MORE", -3)), ANSWERS)

    assert before.level is Level.DIALOGUE
    assert after.level is Level.CONSULTATION
    [reason] = [r for r in after.reasons if r.code == "ORGANISATIONS_KNOW_MORE"]
    assert (reason.direction, reason.weight) == ("down", -3)
    assert after.rules_digest != before.rules_digest


def test_changing_a_threshold_in_the_rules_file_changes_the_recommendation(tmp_path):
    def lower_partnership(data):
        data["scoring"]["thresholds"]["partnership"] = 10

    answers = {**ANSWERS, "shared_work": "yes", "compensation": "yes", "mandate": "shared_responsibility"}
    before = assess(load_questionnaire(2), answers)
    after = assess(modified_copy(tmp_path, lower_partnership), {**answers, "knowledge": "no", "affected": "few"})

    assert before.level is Level.PARTNERSHIP
    assert after.level is Level.PARTNERSHIP
    assert assess(load_questionnaire(2), {**answers, "knowledge": "no", "affected": "few"}).level is Level.DIALOGUE


def test_turning_a_ceiling_into_a_weight_lifts_the_limit(tmp_path):
    def no_ceiling(data):
        rule = next(rule for rule in data["rules"] if rule["code"] == "NO_SHARED_WORK")
        del rule["at_most"]
        rule["weight"] = -1

    answers = {
        **ANSWERS,
        "mandate": "shared_responsibility",
        "compensation": "yes",
        "time_to_decision": "over_six_months",
    }

    assert assess(load_questionnaire(2), answers).level is Level.DIALOGUE
    assert assess(modified_copy(tmp_path, no_ceiling), answers).level is Level.PARTNERSHIP
