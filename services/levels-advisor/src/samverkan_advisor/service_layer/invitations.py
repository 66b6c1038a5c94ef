"""Use cases of invitations: send them for a plan, show one by its token, answer it.

Each invitation sent is announced as ``plan_invitation_sent`` through the outbox, in the same
transaction that stores it. The event carries the answer token to the notifier, which mails
the link; the advisor keeps only the token's hash.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from samverkan_common.errors import Invalid, NotFound

from ..domain import invitations, plans
from ..domain.invitations import Invitation
from ..domain.plans import Plan
from .handlers import AdvisorUow, Peers, PeerUnavailable, get_plan, suggestions


class InvitationStore(Protocol):
    def add(self, invitation: Invitation) -> None: ...
    def save(self, invitation: Invitation) -> None: ...
    def by_token_digest(self, digest: str) -> Invitation | None: ...
    def of_plan(self, plan_id: str) -> list[Invitation]: ...


class InvitingUow(AdvisorUow, Protocol):
    @property
    def invitations(self) -> InvitationStore: ...


class InvitingPeers(Peers, Protocol):
    def get_organisation(self, organisation_id: str) -> dict[str, Any]: ...
    def get_meeting(self, meeting_id: str) -> dict[str, Any]: ...


MEETING_FIELDS = (
    "title", "starts_at", "ends_at", "timezone", "location", "online_url", "forum_slug", "forum_name",
    "status", "sequence", "description", "rrule",
)  # fmt: skip


def _meetings(peers: InvitingPeers, plan: Plan) -> list[dict[str, Any]]:
    """The plan's meetings that are still on, soonest first, as the mail shows them."""
    found = []
    for meeting_id in plan.meeting_ids:
        try:
            meeting = peers.get_meeting(meeting_id)
        except NotFound:
            continue
        if meeting.get("status") == "cancelled":
            continue
        found.append({"meeting_id": str(meeting.get("id") or meeting_id)} | {k: meeting.get(k) for k in MEETING_FIELDS})
    return sorted(found, key=lambda meeting: str(meeting.get("starts_at") or ""))


def _organisations(peers: InvitingPeers, organisation_ids: Sequence[str]) -> list[dict[str, Any]]:
    found, missing = [], []
    for organisation_id in organisation_ids:
        try:
            organisation = peers.get_organisation(organisation_id)
        except NotFound:
            missing.append(organisation_id)
            continue
        address = organisation.get("contact_email")
        found.append(
            {"id": organisation_id, "name": organisation.get("name"), "addresses": [address] if address else []}
        )
    if missing:
        raise Invalid(
            "Some of these organisations are not in the directory.",
            "ORGANISATION_NOT_FOUND",
            {"organisation_ids": [f"Not in the directory: {', '.join(missing)}."]},
        )
    return found


def send_invitations(
    uow: InvitingUow,
    peers: InvitingPeers,
    plan_id: str,
    organisation_ids: Sequence[str],
    now: datetime | None = None,
) -> list[Invitation]:
    """Invite the organisations not yet invited to the plan; each one's contact address gets a mail."""
    moment = now or datetime.now(UTC)
    plan = get_plan(uow, plan_id)
    already = {invitation.organisation_id for invitation in uow.invitations.of_plan(plan_id)}
    wanted = [organisation_id for organisation_id in dict.fromkeys(organisation_ids) if organisation_id not in already]
    uow.rollback()  # no transaction stays open while the registry and the events service answer
    if not wanted:
        return []
    organisations = _organisations(peers, wanted)
    meetings = _meetings(peers, plan)
    plan = get_plan(uow, plan_id)
    already = {invitation.organisation_id for invitation in uow.invitations.of_plan(plan_id)}
    made = invitations.invite(plan.id, organisations, already, moment)
    for invitation, token in made:
        uow.invitations.add(invitation)
        uow.emit("plan_invitation_sent", _sent_data(plan, invitation, token, meetings))
    invited = [*plan.invited_organisation_ids, *(invitation.organisation_id for invitation, _ in made)]
    plan = plans.updated(plan, {"invited_organisation_ids": invited}, moment)
    uow.plans.save(plan)
    uow.emit("plan_updated", plan.event_data())
    uow.commit()
    return [invitation for invitation, _ in made]


def _sent_data(plan: Plan, invitation: Invitation, token: str, meetings: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "invitation_id": invitation.id,
        "plan_id": plan.id,
        "organisation_id": invitation.organisation_id,
        "organisation_name": invitation.organisation_name,
        "addresses": list(invitation.addresses),
        # The only copy of the token outside the mail: the notifier puts it in the link.
        "token": token,
        "language": "sv",
        "issue": plan.issue,
        "committee": plan.committee,
        "committee_name": plan.committee_name,
        "level": plan.level.value,
        "level_offer": invitations.level_offer(plan.level),
        "step": plan.step.value,
        "meetings": meetings,
        "expires_at": invitation.expires_at.isoformat(),
    }


def _signatories(peers: InvitingPeers, plan: Plan) -> set[str]:
    """The signatories of Överenskommelsen among the organisations the plan's areas and municipalities find."""
    found: set[str] = set()
    for area in plan.areas or (None,):
        for municipality in plan.municipalities or (None,):
            query: dict[str, Any] = {"signatory": True, "per_page": 100}
            if area:
                query["area"] = area
            if municipality:
                query["municipality"] = municipality
            found.update(str(organisation["id"]) for organisation in peers.search_organisations(query)["items"])
    return found


def explained_suggestions(uow: InvitingUow, peers: InvitingPeers, plan_id: str) -> dict[str, Any]:
    """The plan's suggestions, each with why it fits (signatory, municipality, area), signatories first.

    Each organisation carries ``reasons``: ``{"code": "signatory"}``, ``{"code": "municipality",
    "municipality_code": …}`` or ``{"code": "area", "area": …}``, and ``invited`` when it already is.
    """
    found = suggestions(uow, peers, plan_id)
    plan = get_plan(uow, plan_id)
    invited = {invitation.organisation_id for invitation in uow.invitations.of_plan(plan_id)}
    uow.rollback()
    signatories: set[str] = set()
    if found["organisations"]:
        try:
            signatories = _signatories(peers, plan)
        except PeerUnavailable as away:
            found["unavailable"].append({"service": away.service, "detail": str(away)})
    explained = []
    for organisation in found["organisations"]:
        organisation_id = str(organisation["id"])
        reasons: list[dict[str, str]] = []
        if organisation_id in signatories:
            reasons.append({"code": "signatory"})
        if organisation.get("municipality_code") in plan.municipalities:
            reasons.append({"code": "municipality", "municipality_code": str(organisation["municipality_code"])})
        reasons.extend({"code": "area", "area": area} for area in organisation.get("areas") or () if area in plan.areas)
        explained.append({**organisation, "signatory": organisation_id in signatories, "reasons": reasons,
                          "invited": organisation_id in invited})  # fmt: skip
    explained.sort(
        key=lambda organisation: (not organisation["signatory"], str(organisation.get("name", "")).casefold())
    )
    return {**found, "organisations": explained, "level_offer": invitations.level_offer(plan.level)}


def plan_invitations(uow: InvitingUow, plan_id: str) -> list[Invitation]:
    get_plan(uow, plan_id)
    return uow.invitations.of_plan(plan_id)


def _by_token(uow: InvitingUow, token: str) -> Invitation:
    invitation = uow.invitations.by_token_digest(invitations.token_digest(token)) if token else None
    if invitation is None:
        raise NotFound("There is no invitation with this link.", "INVITATION_NOT_FOUND")
    return invitation


def invitation_by_token(uow: InvitingUow, token: str, now: datetime | None = None) -> dict[str, Any]:
    """What the answer page shows: the invitation, its plan's issue and level, and whether it has expired."""
    invitation = _by_token(uow, token)
    return _about(uow, invitation, now or datetime.now(UTC))


def answer_invitation(uow: InvitingUow, token: str, answer: str, now: datetime | None = None) -> dict[str, Any]:
    """Answer yes or no; the same answer twice changes nothing, a new answer replaces the old one."""
    moment = now or datetime.now(UTC)
    invitation, changed = invitations.answered(_by_token(uow, token), answer, moment)
    if changed:
        uow.invitations.save(invitation)
        uow.emit(
            "plan_invitation_answered",
            {
                "invitation_id": invitation.id,
                "plan_id": invitation.plan_id,
                "organisation_id": invitation.organisation_id,
                "answer": invitation.state.value,
                "answered_at": moment.isoformat(),
            },
        )
        uow.commit()
    return _about(uow, invitation, moment)


def _about(uow: InvitingUow, invitation: Invitation, now: datetime) -> dict[str, Any]:
    plan = get_plan(uow, invitation.plan_id)
    return {
        "invitation": invitation,
        "expired": invitation.expired(now),
        "issue": plan.issue,
        "committee": plan.committee,
        "committee_name": plan.committee_name,
        "level": plan.level.value,
        "level_offer": invitations.level_offer(plan.level),
        "step": plan.step.value,
        "meeting_ids": list(plan.meeting_ids),
    }
