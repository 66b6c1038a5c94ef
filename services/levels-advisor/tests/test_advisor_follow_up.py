"""The yearly follow-up report, against a year counted by hand."""

from datetime import UTC, date, datetime, timedelta

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

# Each follow-up is read at this moment: what ended before it was held, what comes after it is not.
NOW = datetime(2027, 10, 1, 12, 0, tzinfo=UTC)

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

# The plans' own meetings, by the plan's index: (meeting id, starts_at, ends_at, cancelled, organisations
# holding a confirmed place).
PLAN_MEETINGS = {
    0: [
        ("m-a", "2027-02-10T13:00:00+01:00", "2027-02-10T15:00:00+01:00", False, ["o1", "o7"]),  # held
        ("m-b", "2027-11-05T13:00:00+01:00", "2027-11-05T15:00:00+01:00", False, ["o2"]),  # still to come
    ],
    1: [("m-c", "2027-03-05T13:00:00+01:00", "2027-03-05T15:00:00+01:00", True, ["o2"])],  # cancelled
    2: [
        ("m-d", "2027-09-20T13:00:00+02:00", "2027-09-20T15:00:00+02:00", False, ["o4"]),  # held
        ("m-e", "2027-09-25T09:00:00+02:00", "2027-09-25T12:00:00+02:00", False, ["o4", "o5"]),  # held
    ],
    4: [("m-f", "2028-01-10T13:00:00+01:00", "2028-01-10T15:00:00+01:00", False, [])],  # next year
    # Begun but not over at NOW (12:00 UTC is 14:00 in Stockholm): not held yet.
    5: [("m-g", "2027-10-01T13:00:00+02:00", "2027-10-01T15:00:00+02:00", False, ["o1"])],
}
# Outcomes by the plan's index: the day feedback was (or is to be) given.
OUTCOMES = {0: "2027-09-01", 1: "2027-10-15"}  # the second is recorded, its feedback not given yet


def participation(meeting_ids):
    return [
        {
            "meeting_id": meeting_id,
            "forum_slug": "bmr-samrad",
            "status": "cancelled" if cancelled else "planned",
            "occurrences": [{"starts_at": starts_at, "ends_at": ends_at, "cancelled": cancelled}],
            "organisation_ids": organisations,
        }
        for meetings in PLAN_MEETINGS.values()
        for meeting_id, starts_at, ends_at, cancelled, organisations in meetings
        if meeting_id in meeting_ids
    ]


def meeting(slug, starts_at, status="scheduled", hours=2):
    starts = datetime.fromisoformat(starts_at)
    return {
        "meeting_id": f"{slug}-{starts_at}",
        "forum_slug": slug,
        "title": "Möte",
        "starts_at": starts_at,
        "ends_at": (starts + timedelta(hours=hours)).isoformat(),
        "level": "dialogue",
        "step": None,
        "status": status,
    }


MEETINGS = [
    *(meeting("ros-gruppen", f"2027-{month:02d}-10T13:00:00+01:00") for month in (2, 4, 9)),
    meeting("ros-gruppen", "2027-11-12T13:00:00+01:00"),  # after NOW: coming, not held
    meeting("ros-gruppen", "2027-12-01T13:00:00+01:00", status="cancelled"),
    meeting("stormote", "2027-05-20T09:00:00+02:00"),
    meeting("bmr-samrad", "2027-03-05T10:00:00+01:00"),
    meeting("bmr-samrad", "2027-10-05T10:00:00+02:00"),  # after NOW
    meeting("ser", "2027-06-01T10:00:00+02:00"),
    meeting("ser", "2027-10-01T13:00:00+02:00"),  # going on at NOW: not held yet
]


@pytest.fixture
def uow():
    made = in_memory_uow(AdvisorUnitOfWork)
    for seeded in REGION_COMMITTEES:
        made.committees.add(Committee(*seeded))
    booking = RpcPeers(FakeProxy(), FakeProxy(schedule_meeting=lambda payload: {"id": payload["title"]}), timeout=1)
    for index, (committee, step, mandate, starts_on, level, invited) in enumerate(PLANS):
        assessment = handlers.assess(made, LIBRARY.current, {**BASE, "step": step, "mandate": mandate})
        plan = handlers.create_plan(
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
        for meeting_id, starts_at, ends_at, _cancelled, _organisations in PLAN_MEETINGS.get(index, []):
            booked = {"forum_slug": "bmr-samrad", "title": meeting_id, "starts_at": starts_at, "ends_at": ends_at}
            handlers.schedule_meeting(made, booking, plan.id, booked)
        if index in OUTCOMES:
            handlers.record_outcome(made, plan.id, "Förslagen togs med.", "Tack!", date.fromisoformat(OUTCOMES[index]))
    return made


def peers(meetings):
    events = FakeProxy(meetings_between=lambda start, end: meetings, meeting_participation=participation)
    return RpcPeers(FakeProxy(), events, timeout=1)


def test_report_matches_the_hand_count(uow):
    report = handlers.follow_up(uow, peers(MEETINGS), 2027, now=NOW)

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
        "outcome_recorded": 2,
        "feedback_given": 1,
        "meetings_booked": 7,
        "meetings_held": 3,
        "organisations_invited": 7,
        "organisations_took_part": 4,
    }
    assert report["meetings"] == {
        "held_by_forum": {"bmr-samrad": 1, "ros-gruppen": 3, "ser": 1, "stormote": 1},
        "coming_by_forum": {"bmr-samrad": 1, "ros-gruppen": 1, "ser": 1},
        "cancelled_by_forum": {"ros-gruppen": 1},
        "total_held": 6,
        "total_coming": 3,
        "total_cancelled": 1,
    }
    assert report["steering_group"]["meetings"] == 3
    assert report["steering_group"]["coming"] == 1
    assert report["steering_group"]["as_agreed"] is False
    assert report["assembly"] == {"forum_slug": "stormote", "spring": 1, "autumn": 0, "met_each_term": False}
    assert report["organisations"] == {"count": 5, "ids": ["o1", "o2", "o3", "o4", "o5"]}


def test_each_dialogue_is_a_row_counted_by_hand(uow):
    report = handlers.follow_up(uow, peers(MEETINGS), 2027, now=NOW)

    counted = {
        row["issue"]: (
            row["meetings_booked"],
            row["meetings_held"],
            row["organisations_invited"],
            row["organisations_took_part"],
            row["outcome_recorded"],
            row["feedback_given"],
        )
        for row in report["rows"]
    }
    assert counted == {
        # One meeting held (the other is in November), o1 and o7 held places at it.
        "BMR agenda_setting": (2, 1, 2, 2, True, True),
        # Its only meeting was cancelled: nobody took part; feedback is due after NOW.
        "BMR drafting": (1, 0, 2, 0, True, False),
        # Two meetings held; o4 at both counts once.
        "BMR decision": (2, 2, 1, 2, False, False),
        "KUN drafting": (0, 0, 1, 0, False, False),
        # Its meeting is next year.
        "KUN implementation": (1, 0, 0, 0, False, False),
        # Its meeting is going on at NOW: not held, so o1 has not taken part yet.
        "DRN Fyrbodal monitoring": (1, 0, 1, 0, False, False),
    }
    assert [row["starts_on"] for row in report["rows"]] == sorted(row["starts_on"] for row in report["rows"])
    first = report["rows"][0]
    assert (first["committee"], first["level"], first["step"]) == ("BMR", "dialogue", "agenda_setting")
    assert first["plan_id"]


def test_every_total_is_the_sum_of_its_column(uow):
    report = handlers.follow_up(uow, peers(MEETINGS), 2027, now=NOW)

    rows, dialogues, meetings = report["rows"], report["dialogues"], report["meetings"]
    assert len(rows) == dialogues["total"]
    for name in ("meetings_booked", "meetings_held", "organisations_invited", "organisations_took_part"):
        assert dialogues[name] == sum(row[name] for row in rows), name
    for name in ("outcome_recorded", "feedback_given"):
        assert dialogues[name] == sum(1 for row in rows if row[name]), name
    for kind in ("held", "coming", "cancelled"):
        assert meetings[f"total_{kind}"] == sum(meetings[f"{kind}_by_forum"].values()), kind


def test_a_year_later_every_meeting_has_been_held_and_all_feedback_given(uow):
    later = datetime(2028, 6, 1, tzinfo=UTC)

    report = handlers.follow_up(uow, peers(MEETINGS), 2027, now=later)

    assert report["dialogues"]["meetings_held"] == 6  # all but the cancelled one
    # o2 took part in November too; o1 at the meeting that was going on.
    assert report["dialogues"]["organisations_took_part"] == 3 + 0 + 2 + 0 + 0 + 1
    assert report["dialogues"]["feedback_given"] == 2
    assert report["meetings"]["total_held"] == 9  # the year's ten, less the cancelled one
    assert report["steering_group"]["as_agreed"] is True


def test_stormote_in_both_terms_is_as_agreed(uow):
    both = [*MEETINGS, meeting("stormote", "2027-09-15T09:00:00+02:00")]

    assert handlers.follow_up(uow, peers(both), 2027, now=NOW)["assembly"]["met_each_term"] is True


def test_a_stormote_still_to_come_is_not_counted_as_met(uow):
    coming = [*MEETINGS, meeting("stormote", "2027-10-15T09:00:00+02:00")]

    assert handlers.follow_up(uow, peers(coming), 2027, now=NOW)["assembly"]["met_each_term"] is False


def test_report_asks_the_events_service_for_the_whole_year_and_the_plans_meetings_once(uow):
    events = FakeProxy(meetings_between=[], meeting_participation=[])

    handlers.follow_up(uow, RpcPeers(FakeProxy(), events, timeout=1), 2027, now=NOW)

    assert events.calls["meetings_between"] == [("2027-01-01", "2027-12-31")]
    assert [sorted(ids) for (ids,) in events.calls["meeting_participation"]] == [
        ["m-a", "m-b", "m-c", "m-d", "m-e", "m-f", "m-g"]
    ]


def test_report_without_the_events_service_says_so(uow):
    with pytest.raises(PeerUnavailable) as away:
        handlers.follow_up(uow, RpcPeers(FakeProxy(), FakeProxy(), timeout=1), 2027)

    assert away.value.service == "events"


def test_an_empty_year_has_no_early_share_and_asks_for_no_plan_meetings(uow):
    events = FakeProxy(meetings_between=[])

    report = handlers.follow_up(uow, RpcPeers(FakeProxy(), events, timeout=1), 2030)

    assert report["dialogues"]["total"] == 0
    assert report["dialogues"]["early_share"] is None
    assert report["rows"] == []
