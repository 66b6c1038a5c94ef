"""The yearly follow-up report, against a year counted by hand."""

from datetime import date

import pytest

from samverkan_advisor.adapters.peers import RpcPeers
from samverkan_advisor.adapters.repository import AdvisorUnitOfWork
from samverkan_advisor.domain.committees import REGION_COMMITTEES, Committee
from samverkan_advisor.entrypoints.providers import load_library
from samverkan_advisor.service_layer import handlers
from samverkan_advisor.service_layer.handlers import PeerUnavailable
from samverkan_common.participation import Level
from samverkan_common.testing import in_memory_uow

from .test_advisor_plans import FakeProxy

LIBRARY = load_library()
BASE = {"decision_open": "yes", "negotiable": "what", "shared_work": "no", "time_to_decision": "two_to_six_months"}

# A year of dialogues: (committee, step, mandate, starts_on, chosen level or None, invited organisations).
# Scores: what 3, some mandate 1, shared 3, two to six months 1, early +2, decision step -1.
PLANS = [
    ("BMR", "agenda_setting", "some", "2027-01-15", None, ["o1", "o2"]),  # 3+1+1+2 = 7: dialogue
    ("BMR", "drafting", "some", "2027-03-01", "consultation", ["o2", "o3"]),  # dialogue, chosen: consultation
    ("BMR", "decision", "some", "2027-09-10", None, ["o4"]),  # 3+1+1-1 = 4: consultation
    ("KUN", "drafting", "shared_responsibility", "2027-04-20", None, ["o5"]),  # 3+3+1+2 = 9: dialogue
    ("KUN", "implementation", "none", "2027-11-30", None, []),  # no mandate: information
    ("DRN Fyrbodal", "monitoring", "some", "2027-06-30", None, ["o1"]),  # 3+1+1 = 5: consultation
    # Outside the year: not counted.
    ("BMR", "agenda_setting", "some", "2026-12-31", None, ["o9"]),
    ("KUN", "drafting", "some", "2028-01-01", None, ["o8"]),
]


def meeting(slug, starts_at, status="scheduled"):
    return {
        "meeting_id": f"{slug}-{starts_at}",
        "forum_slug": slug,
        "title": "Möte",
        "starts_at": starts_at,
        "level": "dialogue",
        "step": None,
        "status": status,
    }


MEETINGS = [
    *(meeting("ros-gruppen", f"2027-{month:02d}-10T13:00:00+01:00") for month in (2, 4, 9)),
    meeting("ros-gruppen", "2027-11-12T13:00:00+01:00"),
    meeting("ros-gruppen", "2027-12-01T13:00:00+01:00", status="cancelled"),
    meeting("stormote", "2027-05-20T09:00:00+02:00"),
    meeting("bmr-samrad", "2027-03-05T10:00:00+01:00"),
    meeting("bmr-samrad", "2027-10-05T10:00:00+02:00"),
    meeting("ser", "2027-06-01T10:00:00+02:00"),
]


@pytest.fixture
def uow():
    made = in_memory_uow(AdvisorUnitOfWork)
    for seeded in REGION_COMMITTEES:
        made.committees.add(Committee(*seeded))
    for committee, step, mandate, starts_on, level, invited in PLANS:
        assessment = handlers.assess(made, LIBRARY.current, {**BASE, "step": step, "mandate": mandate})
        handlers.create_plan(
            made,
            assessment_id=assessment.id,
            committee=committee,
            issue=f"{committee} {step}",
            created_by="Sekretariatet",
            starts_on=date.fromisoformat(starts_on),
            level=None if level is None else Level(level),
            level_reason=None if level is None else "Mindre tid än vi trodde.",
            invited_organisation_ids=invited,
        )
    return made


def peers(meetings):
    return RpcPeers(FakeProxy(), FakeProxy(meetings_between=lambda start, end: meetings), timeout=1)


def test_report_matches_the_hand_count(uow):
    report = handlers.follow_up(uow, peers(MEETINGS), 2027)

    assert report["dialogues"] == {
        "total": 6,
        "by_committee": {"BMR": 3, "DRN Fyrbodal": 1, "KUN": 2},
        "by_level": {"information": 1, "consultation": 3, "dialogue": 2, "partnership": 0},
        "by_step": {
            "agenda_setting": 1,
            "drafting": 2,
            "decision": 1,
            "implementation": 1,
            "monitoring": 1,
            "reformulation": 0,
        },
        "early": 3,
        "early_share": 0.5,
        "chosen_other_than_recommended": 1,
        "outcome_recorded": 0,
    }
    assert report["meetings"] == {
        "held_by_forum": {"bmr-samrad": 2, "ros-gruppen": 4, "ser": 1, "stormote": 1},
        "cancelled_by_forum": {"ros-gruppen": 1},
        "total_held": 8,
    }
    assert report["steering_group"]["meetings"] == 4
    assert report["steering_group"]["as_agreed"] is True
    assert report["assembly"] == {"forum_slug": "stormote", "spring": 1, "autumn": 0, "met_each_term": False}
    assert report["organisations"] == {"count": 5, "ids": ["o1", "o2", "o3", "o4", "o5"]}


def test_three_steering_group_meetings_are_too_few(uow):
    three = [m for m in MEETINGS if not m["starts_at"].startswith("2027-11")]

    report = handlers.follow_up(uow, peers(three), 2027)

    assert report["steering_group"]["meetings"] == 3
    assert report["steering_group"]["as_agreed"] is False


def test_stormote_in_both_terms_is_as_agreed(uow):
    both = [*MEETINGS, meeting("stormote", "2027-10-15T09:00:00+02:00")]

    assert handlers.follow_up(uow, peers(both), 2027)["assembly"]["met_each_term"] is True


def test_report_asks_the_events_service_for_the_whole_year(uow):
    events = FakeProxy(meetings_between=[])

    handlers.follow_up(uow, RpcPeers(FakeProxy(), events, timeout=1), 2027)

    assert events.calls["meetings_between"] == [("2027-01-01", "2027-12-31")]


def test_report_without_the_events_service_says_so(uow):
    with pytest.raises(PeerUnavailable) as away:
        handlers.follow_up(uow, RpcPeers(FakeProxy(), FakeProxy(), timeout=1), 2027)

    assert away.value.service == "events"


def test_an_empty_year_has_no_early_share(uow):
    report = handlers.follow_up(uow, peers([]), 2030)

    assert report["dialogues"]["total"] == 0
    assert report["dialogues"]["early_share"] is None
