"""Committees as reference data, a planner's own plans, the principles ticked off and the state of a plan."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from nameko.testing.services import worker_factory
from sqlalchemy import create_engine, select, text

from samverkan_advisor.adapters.repository import AdvisorUnitOfWork
from samverkan_advisor.adapters.tables import committees, metadata
from samverkan_advisor.domain.committees import REGION_COMMITTEES, Committee
from samverkan_advisor.domain.plans import Outcome, PlanState, new_plan
from samverkan_advisor.entrypoints.providers import load_library
from samverkan_advisor.entrypoints.service import AdvisorService
from samverkan_common.db import session_factory
from samverkan_common.errors import Conflict, Invalid, NotFound
from samverkan_common.migrations import alembic_config, upgrade
from samverkan_common.participation import DecisionStep, Level
from samverkan_common.testing import in_memory_uow

ANSWERS = {
    "step": "drafting",
    "decision_open": "yes",
    "negotiable": "what",
    "mandate": "some",
    "shared_work": "no",
    "time_to_decision": "two_to_six_months",
}


@pytest.fixture
def service():
    uow = in_memory_uow(AdvisorUnitOfWork)
    for seeded in REGION_COMMITTEES:
        uow.committees.add(Committee(*seeded))
    # Version 2 of the questionnaire, named: these rules are about committees and plans, not about the advice.
    return worker_factory(AdvisorService, uow=uow, questionnaire=load_library(2), config={})


def plan_of(service, committee="BMR", author_id="user:7", **fields):
    assessment = service.assess({"answers": ANSWERS})
    payload = {
        "assessment_id": assessment["id"],
        "committee": committee,
        "issue": "Handlingsplan för mänskliga rättigheter",
        "created_by": "Pia Planerare",
        "author_id": author_id,
        **fields,
    }
    return service.create_plan(payload)


# Committees


def test_the_region_committees_are_listed_by_name_with_short_names(service):
    listed = service.list_committees()

    assert len(listed) == len(REGION_COMMITTEES)
    assert listed[0]["name"] == "Beredningen för mänskliga rättigheter"
    assert {"BMR", "KUN", "RS", "DRN Fyrbodal", "DRN Skaraborg", "HSS", "KTN", "MN"} <= {
        c["short_name"] for c in listed
    }
    assert all(not committee["retired"] for committee in listed)


def test_an_operator_adds_renames_and_retires_a_committee(service):
    added = service.add_committee({"id": "pn", "short_name": "PN", "name": "Patientnämnden"})
    assert (added["id"], added["retired"]) == ("pn", False)

    renamed = service.change_committee("pn", {"name": "Patientnämnden i Västra Götaland"})
    assert (renamed["short_name"], renamed["name"]) == ("PN", "Patientnämnden i Västra Götaland")

    retired = service.change_committee("pn", {"retired": True})
    assert retired["retired"]
    assert retired["retired_at"]
    assert "pn" not in {c["id"] for c in service.list_committees()}
    assert "pn" in {c["id"] for c in service.list_committees(include_retired=True)}

    restored = service.change_committee("pn", {"retired": False})
    assert restored["retired_at"] is None


@pytest.mark.parametrize(
    ("payload", "error"),
    [
        ({"id": "Stora Nämnden", "short_name": "SN", "name": "Stora nämnden"}, Invalid),
        ({"id": "bmr", "short_name": "BMR2", "name": "Något annat"}, Conflict),
        ({"id": "bmr-2", "short_name": "bmr", "name": "Något annat"}, Conflict),
        ({"id": "kun-2", "short_name": "KUN2", "name": "kulturnämnden"}, Conflict),
        ({"id": "x", "short_name": "  ", "name": "X-nämnden"}, Invalid),
    ],
)
def test_a_committee_needs_a_slug_id_and_names_no_other_committee_has(service, payload, error):
    with pytest.raises(error):
        service.add_committee(payload)


def test_changing_a_committee_that_does_not_exist_is_not_found(service):
    with pytest.raises(NotFound):
        service.change_committee("nope", {"name": "X"})


def test_committee_changes_are_announced(service):
    service.add_committee({"id": "pn", "short_name": "PN", "name": "Patientnämnden"})
    service.change_committee("pn", {"retired": True})

    table = service.uow.metadata.tables["outbox"]
    types = [row.type for row in service.uow.session.execute(table.select().order_by(table.c.id))]
    assert types == ["committee_added", "committee_changed"]


# Plans and their committee


def test_a_plan_names_its_committee_by_id_or_name_and_keeps_the_reference(service):
    by_id = plan_of(service, committee="drn-fyrbodal")
    by_name = plan_of(service, committee="kulturnämnden")

    assert (by_id["committee_id"], by_id["committee"], by_id["committee_name"]) == (
        "drn-fyrbodal",
        "DRN Fyrbodal",
        "Delregionala nämnden Fyrbodal",
    )
    assert (by_name["committee_id"], by_name["committee"]) == ("kun", "KUN")


def test_a_plan_for_a_committee_that_does_not_exist_is_refused(service):
    with pytest.raises(Invalid) as refused:
        plan_of(service, committee="Nämnden för allt")

    assert refused.value.code == "COMMITTEE_NOT_FOUND"
    assert set(refused.value.errors) == {"committee"}


def test_a_retired_committee_takes_no_new_plans_but_its_plans_stay(service):
    plan = plan_of(service, committee="MN")
    service.change_committee("mn", {"retired": True})

    with pytest.raises(Invalid) as refused:
        plan_of(service, committee="MN")
    with pytest.raises(Invalid):
        service.update_plan(plan["id"], {"committee": "mn"})

    assert refused.value.code == "COMMITTEE_RETIRED"
    assert service.get_plan(plan["id"])["committee_name"] == "Miljönämnden"


def test_a_renamed_committee_is_shown_by_its_new_name_on_its_plans(service):
    plan = plan_of(service, committee="KTN")

    service.change_committee("ktn", {"short_name": "KTN-nämnden", "name": "Nämnden för kollektivtrafik"})

    shown = service.get_plan(plan["id"])
    assert (shown["committee_id"], shown["committee"], shown["committee_name"]) == (
        "ktn",
        "KTN-nämnden",
        "Nämnden för kollektivtrafik",
    )


def test_moving_a_plan_to_another_committee_checks_it_and_keeps_the_reference(service):
    plan = plan_of(service)

    moved = service.update_plan(plan["id"], {"committee": "RS"})
    with pytest.raises(Invalid):
        service.update_plan(plan["id"], {"committee": "Ingen nämnd"})

    assert (moved["committee_id"], moved["committee"], moved["committee_name"]) == ("rs", "RS", "Regionstyrelsen")


# Mina planer


def test_a_planner_lists_their_own_plans_newest_first(service):
    first = plan_of(service, issue="Först")
    plan_of(service, issue="Någon annans", author_id="user:8")
    second = plan_of(service, issue="Sedan")

    mine = service.list_plans({"author_id": "user:7"})

    assert [plan["id"] for plan in mine] == [second["id"], first["id"]]
    assert service.list_plans({"author_id": "user:99"}) == []
    with pytest.raises(Invalid):
        service.list_plans({})


# The six principles


def test_the_principles_ticked_off_are_saved_in_their_own_order(service):
    plan = plan_of(service)
    assert plan["principles_checked"] == []

    ticked = service.update_plan(plan["id"], {"principles_checked": ["openness", "independence", "openness"]})

    assert ticked["principles_checked"] == ["independence", "openness"]
    assert service.get_plan(plan["id"])["principles_checked"] == ["independence", "openness"]
    with pytest.raises(Invalid):
        service.update_plan(plan["id"], {"principles_checked": ["speed"]})


# The state is worked out, not kept


def _plan(**fields):
    return new_plan(
        assessment_id="a",
        questionnaire_version=2,
        step=DecisionStep.DRAFTING,
        recommended_level=Level.DIALOGUE,
        committee="BMR",
        issue="X",
        created_by="Pia",
        starts_on=date(2027, 2, 1),
        **fields,
    )


def test_a_plan_moves_from_planned_to_feedback_given_as_its_data_grows():
    today = date(2027, 6, 1)
    plan = _plan()
    assert plan.state(today) is PlanState.PLANNED

    booked = replace(plan, meeting_ids=("m1",))
    assert booked.state(today) is PlanState.MEETINGS_BOOKED

    recorded_at = datetime(2027, 5, 30, tzinfo=UTC)
    later = Outcome("Förslagen togs in.", "Brev i juni.", today + timedelta(days=10), recorded_at)
    assert replace(booked, outcome=later).state(today) is PlanState.OUTCOME_RECORDED

    given = Outcome("Förslagen togs in.", "Brev skickat.", today, recorded_at)
    assert replace(booked, outcome=given).state(today) is PlanState.FEEDBACK_GIVEN


def test_the_plan_says_its_state_on_the_wire(service):
    plan = plan_of(service)
    assert plan["state"] == "planned"

    done = service.record_outcome(
        plan["id"], {"outcome": "Klart.", "feedback": "Brev.", "feedback_on": date.today().isoformat()}
    )

    assert done["state"] == "feedback_given"


# The migration


def test_migrated_database_matches_the_tables_and_holds_the_region_committees(tmp_path):
    url = f"sqlite:///{tmp_path / 'advisor.db'}"
    upgrade("samverkan_advisor", url)

    engine = create_engine(url)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
        seeded = connection.execute(select(committees.c.id, committees.c.short_name, committees.c.name)).all()
    engine.dispose()

    assert differences == []
    assert sorted(tuple(row) for row in seeded) == sorted(REGION_COMMITTEES)


def test_plans_from_before_committees_keep_their_text_and_point_to_the_committee_they_name(tmp_path):
    url = f"sqlite:///{tmp_path / 'advisor.db'}"
    command.upgrade(alembic_config("samverkan_advisor", url), "0002")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO assessments (id, questionnaire_version, answers, level, result, created_at)"
                " VALUES ('a1', 2, '{}', 'dialogue', '{}', '2026-01-01')"
            )
        )
        for plan_id, committee in (("p1", "BMR"), ("p2", "Nämnden för fritid")):
            connection.execute(
                text(
                    "INSERT INTO plans (id, assessment_id, questionnaire_version, committee, issue, step,"
                    " recommended_level, level, starts_on, created_by, areas, municipalities, forum_slugs,"
                    " invited_organisation_ids, meeting_ids, created_at, updated_at) VALUES (:id, 'a1', 2,"
                    " :committee, 'Frågan', 'drafting', 'dialogue', 'dialogue', '2026-02-01', 'Anna', '[]', '[]',"
                    " '[]', '[]', '[]', '2026-01-01', '2026-01-01')"
                ),
                {"id": plan_id, "committee": committee},
            )

    upgrade("samverkan_advisor", url)

    uow = AdvisorUnitOfWork(session_factory(engine)())
    named, free = uow.plans.get("p1"), uow.plans.get("p2")
    assert (named.committee_id, named.committee, named.committee_name) == (
        "bmr",
        "BMR",
        "Beredningen för mänskliga rättigheter",
    )
    assert (free.committee_id, free.committee, free.committee_name) == (
        None,
        "Nämnden för fritid",
        "Nämnden för fritid",
    )
    assert free.principles_checked == ()
    uow.session.close()
    engine.dispose()
