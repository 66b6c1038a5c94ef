"""Use cases of the levels advisor: each takes a unit of work and plain values."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any, Protocol

from samverkan_common.errors import Invalid, NotFound
from samverkan_common.participation import DecisionStep, Level

from ..domain import advice, committees, plans, report
from ..domain.committees import Committee
from ..domain.invitations import Invitation, InvitationState
from ..domain.model import Assessment, MethodMatrix, Questionnaire
from ..domain.plans import Plan

# At most this many organisations are suggested for one plan.
MAX_SUGGESTED = 50
# At most this many plans are listed for one author.
MAX_LISTED = 500


class PeerUnavailable(Exception):
    """Another service could not be reached, or cannot do what was asked (yet)."""

    def __init__(self, service: str, detail: str):
        super().__init__(detail, service)

    @property
    def service(self) -> str:
        return str(self.args[1])

    def __str__(self) -> str:
        return str(self.args[0])


class AssessmentStore(Protocol):
    def add(self, assessment: Assessment) -> None: ...
    def get(self, assessment_id: str) -> Assessment | None: ...


class PlanStore(Protocol):
    def add(self, plan: Plan) -> None: ...
    def save(self, plan: Plan) -> None: ...
    def get(self, plan_id: str) -> Plan | None: ...
    def starting_between(self, first: date, last: date) -> list[Plan]: ...
    def by_author(self, author_id: str, limit: int) -> list[Plan]: ...


class CommitteeStore(Protocol):
    def add(self, committee: Committee) -> None: ...
    def save(self, committee: Committee) -> None: ...
    def get(self, committee_id: str) -> Committee | None: ...
    def all(self) -> list[Committee]: ...


class InvitationStore(Protocol):
    def of_plan(self, plan_id: str) -> list[Invitation]: ...


class AdvisorUow(Protocol):
    @property
    def assessments(self) -> AssessmentStore: ...
    @property
    def plans(self) -> PlanStore: ...
    @property
    def invitations(self) -> InvitationStore: ...
    @property
    def committees(self) -> CommitteeStore: ...
    def emit(self, type_: str, data: dict[str, Any], version: int = 1) -> object: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...


class Peers(Protocol):
    """What the advisor asks of the registry and the events service."""

    def search_organisations(self, query: dict[str, Any]) -> dict[str, Any]: ...
    def list_forums(self) -> list[dict[str, Any]]: ...
    def schedule_meeting(self, payload: dict[str, Any]) -> dict[str, Any]: ...
    def meetings_between(self, start: str, end: str) -> list[dict[str, Any]]: ...
    def meeting_participation(self, meeting_ids: list[str]) -> list[dict[str, Any]]: ...
    def get_organisation(self, organisation_id: str) -> dict[str, Any]: ...


def assess(
    uow: AdvisorUow,
    questionnaire: Questionnaire,
    answers: Mapping[str, object],
    methods: MethodMatrix | None = None,
) -> Assessment:
    """Recommend a level for the answers, keep the assessment and announce it."""
    assessment = advice.assess(questionnaire, answers, methods)
    uow.assessments.add(assessment)
    uow.emit(
        "assessment_made",
        {
            "assessment_id": assessment.id,
            "level": assessment.level.value,
            "questionnaire_version": assessment.questionnaire_version,
        },
    )
    uow.commit()
    return assessment


def get_assessment(uow: AdvisorUow, assessment_id: str) -> Assessment:
    assessment = uow.assessments.get(assessment_id)
    if assessment is None:
        raise NotFound(f"There is no assessment {assessment_id!r}.", "ASSESSMENT_NOT_FOUND")
    return assessment


def create_plan(
    uow: AdvisorUow,
    *,
    assessment_id: str,
    committee: str,
    issue: str,
    created_by: str,
    starts_on: date | None = None,
    level: Level | None = None,
    level_reason: str | None = None,
    areas: tuple[str, ...] | list[str] = (),
    municipalities: tuple[str, ...] | list[str] = (),
    forum_slugs: tuple[str, ...] | list[str] = (),
    invited_organisation_ids: tuple[str, ...] | list[str] = (),
    author_id: str | None = None,
    principles_checked: tuple[str, ...] | list[str] = (),
    now: datetime | None = None,
) -> Plan:
    """Save an assessment as a dialogue plan for one of the region's committees (by id or name) and an issue."""
    assessment = get_assessment(uow, assessment_id)
    owner = committees.chosen(committee, uow.committees.all())
    moment = now or datetime.now(UTC)
    plan = plans.new_plan(
        assessment_id=assessment.id,
        questionnaire_version=assessment.questionnaire_version,
        step=assessment.step,
        recommended_level=assessment.level,
        committee=owner.short_name,
        committee_id=owner.id,
        committee_name=owner.name,
        author_id=author_id,
        principles_checked=principles_checked,
        issue=issue,
        created_by=created_by,
        starts_on=starts_on or moment.date(),
        level=level,
        level_reason=level_reason,
        areas=areas,
        municipalities=municipalities,
        forum_slugs=forum_slugs,
        invited_organisation_ids=invited_organisation_ids,
        now=moment,
    )
    uow.plans.add(plan)
    uow.emit("plan_created", plan.event_data())
    uow.commit()
    return plan


def get_plan(uow: AdvisorUow, plan_id: str) -> Plan:
    plan = uow.plans.get(plan_id)
    if plan is None:
        raise NotFound(f"There is no plan {plan_id!r}.", "PLAN_NOT_FOUND")
    return plan


def list_plans(uow: AdvisorUow, author_id: str, limit: int = MAX_LISTED) -> list[Plan]:
    """The plans one person (or token) made, newest first."""
    return uow.plans.by_author(author_id, min(limit, MAX_LISTED))


def update_plan(uow: AdvisorUow, plan_id: str, changes: Mapping[str, Any]) -> Plan:
    changes = dict(changes)
    if "committee" in changes:
        owner = committees.chosen(changes["committee"], uow.committees.all())
        changes.update(committee=owner.short_name, committee_id=owner.id, committee_name=owner.name)
    plan = plans.updated(get_plan(uow, plan_id), changes)
    uow.plans.save(plan)
    uow.emit("plan_updated", plan.event_data())
    uow.commit()
    return plan


def record_outcome(
    uow: AdvisorUow,
    plan_id: str,
    outcome: str,
    feedback: str,
    feedback_on: date,
    proposals: Sequence[Mapping[str, Any]] = (),
    send_feedback: bool = False,
    peers: Peers | None = None,
    now: datetime | None = None,
) -> Plan:
    """Record what came of the dialogue and the feedback (återkoppling) the participants got.

    With ``send_feedback`` the feedback also goes out by e-mail (``plan_feedback_given``, through the outbox,
    in the same transaction) to every organisation that was invited or held a place at one of the plan's
    meetings, at the contact address the registry has for it.
    """
    moment = now or datetime.now(UTC)
    wanted = [plans.Proposal(str(p["text"]), bool(p["taken_up"]), str(p.get("reason") or "")) for p in proposals]
    plan = plans.with_outcome(get_plan(uow, plan_id), outcome, feedback, feedback_on, moment, wanted)
    recipients: list[dict[str, str]] = []
    if send_feedback:
        if peers is None:
            raise ValueError("Sending the feedback needs the registry and the events service.")
        uow.rollback()  # no transaction stays open while we wait for the other services
        recipients = feedback_recipients(peers, plan)
        plan = plans.with_outcome(get_plan(uow, plan_id), outcome, feedback, feedback_on, moment, wanted)
        plan = plans.with_feedback_sent(plan, len(recipients), moment)
    uow.plans.save(plan)
    assert plan.outcome is not None
    uow.emit("plan_outcome_recorded", {"plan_id": plan.id, "outcome": plan.outcome.summary})
    if send_feedback:
        uow.emit("plan_feedback_given", _feedback_data(plan, recipients))
    uow.commit()
    return plan


def feedback_recipients(peers: Peers, plan: Plan) -> list[dict[str, str]]:
    """Every organisation invited to the plan or holding a place at one of its meetings, with a contact address."""
    ids = list(dict.fromkeys(plan.invited_organisation_ids))
    if plan.meeting_ids:
        for meeting in peers.meeting_participation(list(plan.meeting_ids)):
            ids += [str(organisation) for organisation in meeting.get("organisation_ids", ()) if organisation]
    recipients = []
    for organisation_id in dict.fromkeys(ids):
        try:
            organisation = peers.get_organisation(organisation_id)
        except NotFound:
            continue  # gone from the directory: nobody to write to
        address = str(organisation.get("contact_email") or "").strip()
        if address:
            recipients.append(
                {"organisation_id": organisation_id, "name": str(organisation.get("name", "")), "email": address}
            )
    return recipients


def _feedback_data(plan: Plan, recipients: list[dict[str, str]]) -> dict[str, Any]:
    assert plan.outcome is not None
    return {
        "plan_id": plan.id,
        "issue": plan.issue,
        "committee": plan.committee,
        "committee_name": plan.committee_name or plan.committee,
        "outcome": plan.outcome.summary,
        "feedback": plan.outcome.feedback,
        "proposals": [
            {"text": proposal.text, "taken_up": proposal.taken_up, "reason": proposal.reason}
            for proposal in plan.outcome.proposals
        ],
        "recipients": recipients,
    }


def suggestions(uow: AdvisorUow, peers: Peers, plan_id: str) -> dict[str, Any]:
    """Organisations to invite and forums that fit; what a service that is away could not give is said so."""
    plan = get_plan(uow, plan_id)
    uow.rollback()  # no transaction stays open while we wait for the other services
    unavailable = []
    organisations: list[dict[str, Any]] = []
    try:
        organisations = _matching_organisations(peers, plan)
    except PeerUnavailable as away:
        unavailable.append({"service": away.service, "detail": str(away)})
    forums: list[dict[str, Any]] = []
    try:
        forums = plans.fitting_forums([plan.committee, plan.committee_name], plan.areas, peers.list_forums())
    except PeerUnavailable as away:
        unavailable.append({"service": away.service, "detail": str(away)})
    return {"plan_id": plan.id, "organisations": organisations, "forums": forums, "unavailable": unavailable}


def _matching_organisations(peers: Peers, plan: Plan) -> list[dict[str, Any]]:
    queries: list[dict[str, Any]] = []
    for area in plan.areas or (None,):
        for municipality in plan.municipalities or (None,):
            query: dict[str, Any] = {"per_page": MAX_SUGGESTED}
            if area:
                query["area"] = area
            if municipality:
                query["municipality"] = municipality
            queries.append(query)
    if not plan.areas and not plan.municipalities:
        queries = [{"signatory": True, "per_page": MAX_SUGGESTED}]
    found: dict[str, dict[str, Any]] = {}
    for query in queries:
        for organisation in peers.search_organisations(query)["items"]:
            found.setdefault(str(organisation["id"]), organisation)
    return sorted(found.values(), key=lambda organisation: str(organisation.get("name", "")))[:MAX_SUGGESTED]


def schedule_meeting(uow: AdvisorUow, peers: Peers, plan_id: str, meeting: Mapping[str, Any]) -> dict[str, Any]:
    """Schedule a meeting of the plan in the events service, at the plan's level and step unless it names others."""
    plan = get_plan(uow, plan_id)
    uow.rollback()
    forum_slug = meeting.get("forum_slug") or (plan.forum_slugs[0] if plan.forum_slugs else None)
    if forum_slug is None:
        raise Invalid(
            "Name the forum of the meeting.",
            "FORUM_REQUIRED",
            {"forum_slug": ["The plan names no forum; give one for this meeting."]},
        )
    step: DecisionStep = meeting.get("step") or plan.step
    payload = {
        **{key: value for key, value in meeting.items() if value is not None},
        "forum_slug": forum_slug,
        "level": (meeting.get("level") or plan.level).value,
        "step": step.value,
    }
    scheduled = peers.schedule_meeting(payload)
    plan = plans.with_meeting(get_plan(uow, plan_id), str(scheduled["id"]))
    if forum_slug not in plan.forum_slugs:
        plan = plans.updated(plan, {"forum_slugs": [*plan.forum_slugs, forum_slug]})
    uow.plans.save(plan)
    uow.emit("plan_updated", plan.event_data())
    booked = _meeting_booked_data(plan, uow.invitations.of_plan(plan.id), scheduled)
    if booked["addresses"]:
        uow.emit("plan_meeting_booked", booked)
    uow.commit()
    return scheduled


# What an invited organisation's mail about a new meeting of the plan shows (and its .ics is made from).
BOOKED_MEETING_FIELDS = (
    "title", "starts_at", "ends_at", "timezone", "location", "online_url", "forum_slug", "forum_name",
    "status", "sequence", "description", "capacity", "registration_deadline",
)  # fmt: skip


def _meeting_booked_data(plan: Plan, invited: list[Invitation], meeting: Mapping[str, Any]) -> dict[str, Any]:
    """plan_meeting_booked: the meeting, for every address of an organisation invited that has not said no."""
    addresses = [
        address
        for invitation in invited
        if invitation.state is not InvitationState.NO
        for address in invitation.addresses
    ]
    return {
        "plan_id": plan.id,
        "issue": plan.issue,
        "committee": plan.committee,
        "committee_name": plan.committee_name or plan.committee,
        "meeting_id": str(meeting["id"]),
        **{name: meeting.get(name) for name in BOOKED_MEETING_FIELDS if name in meeting},
        "addresses": list(dict.fromkeys(addresses)),
    }


def follow_up(uow: AdvisorUow, peers: Peers, year: int, now: datetime | None = None) -> dict[str, Any]:
    """The yearly follow-up report as it stands ``now``; the events service tells of meetings and places."""
    first, last = report.year_bounds(year)
    in_year = uow.plans.starting_between(first, last)
    uow.rollback()
    meetings = peers.meetings_between(first.isoformat(), last.isoformat())
    meeting_ids = list(dict.fromkeys(meeting_id for plan in in_year for meeting_id in plan.meeting_ids))
    participation = peers.meeting_participation(meeting_ids) if meeting_ids else []
    return report.follow_up(year, in_year, meetings, participation, now or datetime.now(UTC))


def list_committees(uow: AdvisorUow, include_retired: bool = False) -> list[Committee]:
    """The region's committees by name; retired ones only when asked for."""
    return [committee for committee in uow.committees.all() if include_retired or not committee.retired]


def get_committee(uow: AdvisorUow, committee_id: str) -> Committee:
    committee = uow.committees.get(committee_id)
    if committee is None:
        raise NotFound(f"There is no committee {committee_id!r}.", "COMMITTEE_NOT_FOUND")
    return committee


def add_committee(uow: AdvisorUow, committee_id: str, short_name: str, name: str) -> Committee:
    committee = committees.new_committee(committee_id, short_name, name, uow.committees.all())
    uow.committees.add(committee)
    uow.emit("committee_added", _committee_data(committee))
    uow.commit()
    return committee


def change_committee(uow: AdvisorUow, committee_id: str, changes: Mapping[str, Any]) -> Committee:
    """Rename or retire (or bring back) a committee; its plans follow the new name."""
    committee = committees.changed(get_committee(uow, committee_id), changes, uow.committees.all())
    uow.committees.save(committee)
    uow.emit("committee_changed", _committee_data(committee))
    uow.commit()
    return committee


def _committee_data(committee: Committee) -> dict[str, Any]:
    return {
        "committee_id": committee.id,
        "short_name": committee.short_name,
        "name": committee.name,
        "retired": committee.retired,
    }
