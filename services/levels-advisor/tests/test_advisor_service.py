"""The levels advisor through its RPC methods, on an in-memory database."""

import json

import pytest
from nameko.testing.services import worker_factory
from sqlalchemy import func, select

from samverkan_advisor.adapters.repository import AdvisorUnitOfWork
from samverkan_advisor.adapters.tables import assessments
from samverkan_advisor.domain.advice import assess
from samverkan_advisor.entrypoints.providers import load_library
from samverkan_advisor.entrypoints.service import AdvisorService
from samverkan_common.errors import Invalid, NotFound
from samverkan_common.testing import in_memory_uow

ANSWERS = {
    "step": "drafting",
    "decision_open": "yes",
    "negotiable": "what",
    "mandate": "some",
    "shared_work": "no",
    "time_to_decision": "two_to_six_months",
    "contested": "some",
    "affected": "groups",
    "knowledge": "partly",
    "meeting_resources": "yes",
    "compensation": "no",
    "facilitation": "no",
    "legal_duty": "no",
}


@pytest.fixture
def service():
    return worker_factory(AdvisorService, uow=in_memory_uow(AdvisorUnitOfWork), questionnaire=load_library(), config={})


def outbox(uow):
    return [json.loads(row.envelope) for row in uow.session.execute(uow.metadata.tables["outbox"].select())]


def stored_count(uow):
    return uow.session.execute(select(func.count()).select_from(assessments)).scalar_one()


def test_assessment_is_committed_with_its_event(service):
    result = service.assess({"answers": ANSWERS})

    assert result["level"] == "dialogue"
    assert result["questionnaire_version"] == 3
    assert len(result["rules_digest"]) == 64
    # Dialogue while the proposal is written, consultation on the finished draft and while the region
    # carries it out alone, dialogue again when it is followed up and changed.
    assert result["levels_by_step"] == {
        "drafting": "dialogue",
        "decision": "consultation",
        "implementation": "consultation",
        "monitoring": "dialogue",
        "reformulation": "dialogue",
    }
    assert [reason["code"] for reason in result["reasons"]][:2] == ["RECOMMENDED_LEVEL", "WHAT_NEGOTIABLE"]
    assert result["reasons"][1]["direction"] == "up"
    assert result["reasons"][1]["weight"] == 3
    assert result["warnings"] == []
    assert result["confidence"] in {"low", "medium", "high"}
    assert [item["step"] for item in result["methods"]] == list(result["levels_by_step"])
    assert {item["principle"] for item in result["checklist"]} == {
        "independence",
        "dialogue",
        "quality",
        "long_term",
        "openness",
        "diversity",
    }
    [event] = outbox(service.uow)
    assert event["type"] == "assessment_made"
    assert event["data"] == {"assessment_id": result["id"], "level": "dialogue", "questionnaire_version": 3}
    service.uow.session.rollback()  # what was committed survives the end of the transaction
    assert stored_count(service.uow) == 1


def test_answer_is_json_safe(service):
    result = service.assess({"answers": ANSWERS})

    assert json.loads(json.dumps(result)) == result
    assert all(type(level) is str for level in result["levels_by_step"].values())


def test_stored_assessment_reads_back_as_it_was_given(service):
    given = service.assess({"answers": {**ANSWERS, "time_to_decision": "under_three_weeks"}})

    fetched = service.get_assessment(given["id"])

    assert fetched == given
    assert fetched["answers"]["time_to_decision"] == "under_three_weeks"
    assert [warning["code"] for warning in fetched["warnings"]] == ["TOO_LITTLE_TIME"]
    # A reason about some steps only keeps them (version 3).
    assert {"code": "TOO_LITTLE_TIME", "steps": ["drafting", "decision"]}.items() <= next(
        reason for reason in fetched["reasons"] if reason["code"] == "TOO_LITTLE_TIME"
    ).items()


def test_unknown_assessment_is_not_found(service):
    with pytest.raises(NotFound) as missing:
        service.get_assessment("00000000-0000-0000-0000-000000000000")

    assert missing.value.code == "ASSESSMENT_NOT_FOUND"


def test_bad_answers_are_named_and_nothing_is_written(service):
    with pytest.raises(Invalid) as refused:
        service.assess({"answers": {**ANSWERS, "negotiable": "everything", "colour": "red"}})

    assert set(refused.value.errors) == {"answers.negotiable", "answers.colour"}
    assert stored_count(service.uow) == 0
    assert outbox(service.uow) == []


def test_unknown_top_level_field_is_refused_and_nothing_is_written(service):
    with pytest.raises(Invalid) as refused:
        service.assess({"answers": ANSWERS, "level": "partnership"})

    assert refused.value.errors == {"level": ["Unknown field."]}
    assert stored_count(service.uow) == 0


def test_payload_without_answers_is_refused(service):
    with pytest.raises(Invalid) as refused:
        service.assess({})

    assert refused.value.errors == {"answers": ["Missing data for required field."]}


def test_questionnaire_is_served_in_swedish_by_default(service):
    questionnaire = service.get_questionnaire()

    assert questionnaire["version"] == 3
    assert questionnaire["language"] == "sv"
    assert questionnaire["questions"][0]["text"] == "Vilket steg i beslutsprocessen är ni i nu?"
    assert [level["label"] for level in questionnaire["levels"]] == [
        "Information",
        "Samråd",
        "Dialog",
        "Partnerskap",
    ]
    assert json.loads(json.dumps(questionnaire)) == questionnaire


def test_questionnaire_is_served_in_english_with_its_rules(service):
    questionnaire = service.get_questionnaire("en")

    assert questionnaire["questions"][0]["text"] == "Which step of the decision process are you at now?"
    rule = next(rule for rule in questionnaire["rules"] if rule["code"] == "NOTHING_NEGOTIABLE")
    assert rule["when"] == {"negotiable": ["nothing"]}
    assert rule["at_most"] == "information"
    assert rule["warning"] == "Nothing is negotiable: only information is honest."
    assert questionnaire["scoring"]["thresholds"] == {"consultation": 2, "dialogue": 7, "partnership": 13}


def test_the_first_version_of_the_questionnaire_can_still_be_read(service):
    questionnaire = service.get_questionnaire("sv", 1)

    assert questionnaire["version"] == 1
    assert {q["id"] for q in questionnaire["questions"]} == {
        "step",
        "decision_open",
        "negotiable",
        "mandate",
        "shared_work",
        "time_to_decision",
    }


def test_unknown_questionnaire_version_is_not_found(service):
    with pytest.raises(NotFound) as missing:
        service.get_questionnaire("sv", 9)

    assert missing.value.code == "QUESTIONNAIRE_NOT_FOUND"


def test_assessment_made_with_version_1_still_shows_version_1(service):
    old = assess(
        load_library().by_version(1),
        {k: v for k, v in ANSWERS.items() if k in {"step", "decision_open", "negotiable", "mandate", "shared_work"}}
        | {"time_to_decision": "one_to_six_months"},
    )
    service.uow.assessments.add(old)
    service.uow.commit()

    fetched = service.get_assessment(old.id)

    assert fetched["questionnaire_version"] == 1
    assert fetched["answers"]["time_to_decision"] == "one_to_six_months"
    assert fetched["confidence"] is None
    assert fetched["level"] == old.level.value


def test_unknown_language_is_refused(service):
    with pytest.raises(Invalid) as refused:
        service.get_questionnaire("de")

    assert set(refused.value.errors) == {"language"}


def test_health_reports_the_database(service):
    assert service.health() == {"name": "levels_advisor", "version": "0.1.0", "database_reachable": True}
