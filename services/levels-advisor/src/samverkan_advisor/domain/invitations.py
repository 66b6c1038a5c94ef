"""Invitations to a dialogue plan: one per plan and organisation, answered yes or no from a mailed link.

The link carries a secret token (192 bits); only its SHA-256 is kept, so a copy of the
database cannot answer for anyone. An answer may be changed until the invitation expires:
an organisation that said yes and then cannot come should be able to say so.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from samverkan_common.errors import Conflict, Invalid
from samverkan_common.participation import Level

# How long the mailed link works. Long enough for a dialogue that runs over a term.
VALID_FOR = timedelta(days=180)
# At most this many organisations are invited in one go (one mail each).
MAX_PER_SENDING = 200

# The influence on offer at each level, said plainly: the one place the mail and the pages take it from.
LEVEL_OFFERS: dict[Level, dict[str, str]] = {
    Level.INFORMATION: {
        "sv": "Ni får veta vad som planeras och varför, men det finns inget kvar att påverka i det här beslutet.",
        "en": "You will learn what is planned and why, but nothing in this decision is still open to influence.",
    },
    Level.CONSULTATION: {
        "sv": "Ni kan lämna synpunkter på ett förslag, men beslutet fattas av nämnden.",
        "en": "You can give your views on a proposal, but the committee makes the decision.",
    },
    Level.DIALOGUE: {
        "sv": "Ni kan påverka hur förslaget utformas, men inte om det ska göras.",
        "en": "You can influence how the proposal is shaped, but not whether it is made.",
    },
    Level.PARTNERSHIP: {
        "sv": "Ni delar ansvaret med regionen: ni är med och bestämmer, tar fram och genomför arbetet.",
        "en": "You share the responsibility with the region: you decide, draft and carry out the work together.",
    },
}


def level_offer(level: Level | str) -> dict[str, str]:
    """The plain sentence for a level, in Swedish and English."""
    return dict(LEVEL_OFFERS[Level(level)])


class InvitationState(StrEnum):
    SENT = "sent"
    YES = "yes"
    NO = "no"


def new_token() -> str:
    """A fresh answer token: 24 random bytes (192 bits), URL-safe."""
    return secrets.token_urlsafe(24)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Invitation:
    plan_id: str
    organisation_id: str
    organisation_name: str
    addresses: tuple[str, ...]
    token_digest: str
    sent_at: datetime
    expires_at: datetime
    state: InvitationState = InvitationState.SENT
    answered_at: datetime | None = None
    id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def expired(self, now: datetime) -> bool:
        return now >= self.expires_at


def invite(
    plan_id: str,
    organisations: Iterable[Mapping[str, Any]],
    already: Iterable[str],
    now: datetime | None = None,
) -> list[tuple[Invitation, str]]:
    """New invitations (each with its token, shown once) for the organisations not yet invited to the plan."""
    moment = now or datetime.now(UTC)
    invited = set(already)
    made: list[tuple[Invitation, str]] = []
    for organisation in organisations:
        organisation_id = str(organisation["id"])
        if organisation_id in invited:
            continue
        invited.add(organisation_id)
        token = new_token()
        addresses = tuple(dict.fromkeys(str(a).strip().lower() for a in organisation.get("addresses") or () if a))
        invitation = Invitation(
            plan_id=plan_id,
            organisation_id=organisation_id,
            organisation_name=str(organisation.get("name") or ""),
            addresses=addresses,
            token_digest=token_digest(token),
            sent_at=moment,
            expires_at=moment + VALID_FOR,
        )
        made.append((invitation, token))
    if len(made) > MAX_PER_SENDING:
        raise Invalid(
            f"Invite at most {MAX_PER_SENDING} organisations at a time.",
            "TOO_MANY_INVITATIONS",
            {"organisation_ids": [f"At most {MAX_PER_SENDING}."]},
        )
    return made


def answered(invitation: Invitation, answer: str, now: datetime | None = None) -> tuple[Invitation, bool]:
    """The invitation with ``answer`` ("yes" or "no"), and whether that changed anything."""
    moment = now or datetime.now(UTC)
    if answer not in (InvitationState.YES, InvitationState.NO):
        raise Invalid("Answer yes or no.", "ANSWER_INVALID", {"answer": ["Use yes or no."]})
    if invitation.expired(moment):
        raise Conflict("The invitation has expired.", "INVITATION_EXPIRED")
    if invitation.state == answer:
        return invitation, False
    return replace(invitation, state=InvitationState(answer), answered_at=moment), True
