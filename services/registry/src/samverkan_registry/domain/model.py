"""Organisations of civil society: the rules that hold whatever stores or transports them."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from samverkan_common.errors import Conflict, Forbidden, Invalid

from .municipalities import municipality

DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100

_ORGANISATION_NUMBER = re.compile(r"^(\d{6})-?(\d{4})$")


class OrganisationKind(StrEnum):
    IDEELL_FORENING = "ideell_forening"
    STIFTELSE = "stiftelse"
    TROSSAMFUND = "trossamfund"
    NATVERK = "natverk"
    OTHER = "other"


class OrganisationStatus(StrEnum):
    ACTIVE = "active"
    DISSOLVED = "dissolved"


class Area(StrEnum):
    """The region's fixed areas of interest; anything else is a free tag."""

    HEALTH_CARE = "health_care"
    REGIONAL_DEVELOPMENT = "regional_development"
    CULTURE = "culture"
    PUBLIC_TRANSPORT = "public_transport"

    @property
    def label(self) -> str:
        """The Swedish name, as people search for it."""
        return _AREA_LABELS[self]


_AREA_LABELS = {
    Area.HEALTH_CARE: "hälso- och sjukvård",
    Area.REGIONAL_DEVELOPMENT: "regional utveckling",
    Area.CULTURE: "kultur",
    Area.PUBLIC_TRANSPORT: "kollektivtrafik",
}

MAX_OTHER_NAMES = 20
MAX_TAGS = 30
MAX_TAG_LENGTH = 50
FIRST_FOUNDED_YEAR = 1000

# What an update may change; the rest (id, status, version, times) follows from the rules.
EDITABLE_FIELDS = (
    "name",
    "other_names",
    "kind",
    "organisation_number",
    "municipality_code",
    "areas",
    "tags",
    "description",
    "website",
    "contact_email",
    "founded_year",
)


def luhn_valid(digits: str) -> bool:
    """True if the last digit of ``digits`` is the Luhn check digit of the others."""
    total = 0
    # Counted from the right, every second digit is doubled; the check digit is not.
    for position, digit in enumerate(reversed(digits)):
        value = int(digit) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def organisation_number_problem(value: str) -> str | None:
    """What is wrong with ``value`` as an organisation number, or None if nothing is."""
    match = _ORGANISATION_NUMBER.fullmatch(value.strip())
    if match is None:
        return "An organisation number has 10 digits, written NNNNNN-NNNN."
    digits = match.group(1) + match.group(2)
    # The third digit keeps organisation numbers apart from personal identity numbers (months 01-12).
    if int(digits[2]) < 2:
        return "The third digit of an organisation number is 2 or higher."
    if not luhn_valid(digits):
        return "The check digit does not match; please check the number for a typing error."
    return None


def normalise_organisation_number(value: str) -> str:
    """``value`` written ``NNNNNN-NNNN``; raises :class:`Invalid` if it is no organisation number."""
    problem = organisation_number_problem(value)
    if problem is not None:
        raise Invalid(
            "The organisation number is not valid.",
            "ORGANISATION_NUMBER_INVALID",
            {"organisation_number": [problem]},
        )
    digits = value.strip().replace("-", "")
    return f"{digits[:6]}-{digits[6:]}"


def organisation_number_taken(number: str) -> Conflict:
    """The error for a second organisation with ``number``; a plain Conflict, so it crosses RPC."""
    return Conflict(
        f"An organisation with number {number} is registered already.",
        "ORGANISATION_EXISTS",
        {"organisation_number": ["An organisation with this number is registered already."]},
    )


@dataclass
class Organisation:
    name: str
    kind: OrganisationKind
    municipality_code: str
    organisation_number: str | None = None
    description: str = ""
    website: str = ""
    contact_email: str = ""
    other_names: list[str] = field(default_factory=list)
    areas: list[Area] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    founded_year: int | None = None
    status: OrganisationStatus = OrganisationStatus.ACTIVE
    version: int = 1
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    updated_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def __post_init__(self) -> None:
        errors: dict[str, list[str]] = {}
        codes: set[str] = set()

        self.name = self.name.strip()
        if not self.name:
            errors["name"] = ["The name cannot be empty."]
            codes.add("ORGANISATION_INVALID")

        try:
            self.kind = OrganisationKind(self.kind)
        except ValueError:
            errors["kind"] = [f"One of {', '.join(kind.value for kind in OrganisationKind)}."]

        # Small groups have no number; a blank one from a form means the same.
        number = (self.organisation_number or "").strip()
        if not number:
            self.organisation_number = None
        else:
            problem = organisation_number_problem(number)
            if problem is None:
                self.organisation_number = normalise_organisation_number(number)
            else:
                errors["organisation_number"] = [problem]
                codes.add("ORGANISATION_NUMBER_INVALID")

        if municipality(self.municipality_code) is None:
            errors["municipality_code"] = ["This is not the code of a municipality in Västra Götaland."]
            codes.add("MUNICIPALITY_UNKNOWN")

        self.other_names = _unique(name.strip() for name in self.other_names)
        if len(self.other_names) > MAX_OTHER_NAMES:
            errors["other_names"] = [f"At most {MAX_OTHER_NAMES} other names."]
        elif any(len(name) > 200 for name in self.other_names):
            errors["other_names"] = ["An other name has at most 200 characters."]
        self.other_names = [name for name in self.other_names if name.casefold() != self.name.casefold()]

        self.areas = sorted({Area(area) for area in self.areas})
        # Tags are free, but "Kultur" and "kultur " are one tag.
        self.tags = _unique(" ".join(tag.split()).lower() for tag in self.tags)
        if len(self.tags) > MAX_TAGS:
            errors["tags"] = [f"At most {MAX_TAGS} tags."]
        elif any(len(tag) > MAX_TAG_LENGTH for tag in self.tags):
            errors["tags"] = [f"A tag has at most {MAX_TAG_LENGTH} characters."]

        if self.founded_year is not None and not (FIRST_FOUNDED_YEAR <= self.founded_year <= datetime.now(UTC).year):
            errors["founded_year"] = [f"A year from {FIRST_FOUNDED_YEAR} up to this year."]

        if errors:
            # One broken rule keeps its own code; several at once share the general one.
            code = codes.pop() if len(codes) == 1 and len(errors) == 1 else "ORGANISATION_INVALID"
            raise Invalid("The organisation is not valid.", code, errors)

    def changed_by(self, changes: dict[str, Any]) -> tuple[Organisation, list[str]]:
        """This organisation with ``changes`` applied and checked, and the names of the fields that changed."""
        unknown = set(changes) - set(EDITABLE_FIELDS)
        if unknown:
            raise Invalid(
                "These fields cannot be changed.",
                "ORGANISATION_INVALID",
                {name: ["This field cannot be changed."] for name in sorted(unknown)},
            )
        updated = replace(self, **changes)
        changed = [
            f.name
            for f in fields(self)
            if f.name in EDITABLE_FIELDS and getattr(self, f.name) != getattr(updated, f.name)
        ]
        if changed:
            updated.version = self.version + 1
            updated.updated_at = datetime.now(UTC)
        return updated, changed

    def dissolved(self) -> Organisation:
        """This organisation marked dissolved; its history stays."""
        if self.status is OrganisationStatus.DISSOLVED:
            raise Conflict("The organisation is dissolved already.", "ORGANISATION_DISSOLVED")
        return replace(
            self, status=OrganisationStatus.DISSOLVED, version=self.version + 1, updated_at=datetime.now(UTC)
        )

    def event_data(self) -> dict[str, Any]:
        """What every organisation_* event carries about the organisation."""
        return {
            "organisation_id": self.id,
            "name": self.name,
            "kind": self.kind.value,
            "municipality_code": self.municipality_code,
            "organisation_number": self.organisation_number,
            "areas": [area.value for area in self.areas],
            "tags": list(self.tags),
            "status": self.status.value,
            "version": self.version,
        }


def _unique(values: Any) -> list[str]:
    """Non-empty values in first-seen order, without repeats."""
    seen: dict[str, None] = {}
    for value in values:
        if value and value not in seen:
            seen[value] = None
    return list(seen)


def stale_version(organisation_id: str, expected: int, actual: int | None) -> Conflict:
    """A change based on an old copy; the caller must read the organisation again."""
    return Conflict(
        "The organisation was changed by someone else since you read it; read it again and retry.",
        "ORGANISATION_VERSION_CONFLICT",
        {"version": [f"Expected version {expected}, but the organisation is at version {actual}."]},
    )


# --- who may do what ---------------------------------------------------------------------------


class Role(StrEnum):
    ORGANISATION = "organisation"
    PLANNER = "planner"
    OPERATOR = "operator"


@dataclass(frozen=True)
class Actor:
    """Who asks: a role, and for an organisation's representative, which organisation."""

    role: Role | None = None
    organisation_id: str | None = None

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.PLANNER, Role.OPERATOR)

    def speaks_for(self, organisation_id: str) -> bool:
        return self.role is Role.ORGANISATION and self.organisation_id == organisation_id


PUBLIC = Actor()


def require_editor(actor: Actor, organisation_id: str) -> None:
    """Planners and operators edit any organisation; a representative only their own."""
    if not (actor.is_staff or actor.speaks_for(organisation_id)):
        raise Forbidden("You may change only your own organisation.", "NOT_YOUR_ORGANISATION")


def may_see_persons(actor: Actor, organisation_id: str) -> bool:
    """Contact persons are seen by the organisation itself, planners and operators; never the public."""
    return actor.is_staff or actor.speaks_for(organisation_id)


def require_operator(actor: Actor) -> None:
    if actor.role is not Role.OPERATOR:
        raise Forbidden("Only an operator may do this.", "OPERATOR_ONLY")


# --- signatories of Överenskommelsen --------------------------------------------------------------


@dataclass
class Signature:
    """One period during which an organisation was a signatory: from signed_on up to (not including) withdrawn_on."""

    organisation_id: str
    signed_on: date
    withdrawn_on: date | None = None
    id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def covers(self, day: date) -> bool:
        return self.signed_on <= day and (self.withdrawn_on is None or day < self.withdrawn_on)

    def withdraw(self, on: date) -> None:
        if self.withdrawn_on is not None:
            raise Conflict("The organisation has withdrawn already.", "NOT_A_SIGNATORY")
        if on < self.signed_on:
            raise Invalid(
                "The withdrawal cannot come before the signing.",
                "WITHDRAWAL_BEFORE_SIGNING",
                {"withdrawn_on": [f"On or after {self.signed_on.isoformat()}."]},
            )
        self.withdrawn_on = on


def check_new_signature(organisation: Organisation, signatures: list[Signature], on: date) -> Signature:
    """A new signing period, if it overlaps none of the earlier ones."""
    if organisation.status is OrganisationStatus.DISSOLVED:
        raise Conflict("A dissolved organisation cannot sign.", "ORGANISATION_DISSOLVED")
    for earlier in signatures:
        if earlier.withdrawn_on is None:
            raise Conflict("The organisation is a signatory already.", "ALREADY_A_SIGNATORY")
        if on < earlier.withdrawn_on:
            raise Invalid(
                "The new signing falls inside an earlier signing period.",
                "SIGNING_OVERLAPS",
                {"signed_on": [f"On or after {earlier.withdrawn_on.isoformat()}."]},
            )
    return Signature(organisation_id=organisation.id, signed_on=on)


# --- forum memberships -------------------------------------------------------------------------

_FORUM_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class ForumRole(StrEnum):
    MEMBER = "member"
    CHAIR = "chair"
    VICE_CHAIR = "vice_chair"
    SUBSTITUTE = "substitute"
    OBSERVER = "observer"


@dataclass
class Membership:
    """An organisation's seat in a forum (which lives in the events service, named by slug)."""

    organisation_id: str
    forum_slug: str
    role: ForumRole
    starts_on: date
    ends_on: date | None = None
    id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def __post_init__(self) -> None:
        errors: dict[str, list[str]] = {}
        if not _FORUM_SLUG.fullmatch(self.forum_slug) or len(self.forum_slug) > 100:
            errors["forum_slug"] = ["A forum slug: lower-case letters, digits and hyphens."]
        if self.ends_on is not None and self.ends_on < self.starts_on:
            errors["ends_on"] = ["The end cannot come before the start."]
        if errors:
            raise Invalid("The membership is not valid.", "MEMBERSHIP_INVALID", errors)

    def active_on(self, day: date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)

    def overlaps(self, other: Membership) -> bool:
        far = date.max
        return self.starts_on <= (other.ends_on or far) and other.starts_on <= (self.ends_on or far)

    def end(self, on: date) -> None:
        if self.ends_on is not None and self.ends_on <= on:
            raise Conflict("The membership has ended already.", "MEMBERSHIP_ENDED")
        if on < self.starts_on:
            raise Invalid(
                "The end cannot come before the start.",
                "MEMBERSHIP_INVALID",
                {"ends_on": [f"On or after {self.starts_on.isoformat()}."]},
            )
        self.ends_on = on

    def event_data(self, today: date) -> dict[str, Any]:
        return {
            "membership_id": self.id,
            "organisation_id": self.organisation_id,
            "forum_slug": self.forum_slug,
            "role": self.role.value,
            "starts_on": self.starts_on.isoformat(),
            "ends_on": self.ends_on.isoformat() if self.ends_on else None,
            "active": self.active_on(today),
        }


def check_new_membership(organisation: Organisation, existing: list[Membership], new: Membership) -> None:
    if organisation.status is OrganisationStatus.DISSOLVED:
        raise Conflict("A dissolved organisation cannot join a forum.", "ORGANISATION_DISSOLVED")
    for earlier in existing:
        if earlier.forum_slug == new.forum_slug and earlier.overlaps(new):
            raise Conflict(
                "The organisation already sits in this forum during that period.",
                "MEMBERSHIP_OVERLAPS",
                {"starts_on": ["Overlaps an existing membership of this forum."]},
            )


# --- contact persons ---------------------------------------------------------------------------


class LegalBasis(StrEnum):
    """GDPR art. 6(1): why the region may hold this person's details."""

    CONSENT = "consent"
    CONTRACT = "contract"
    LEGITIMATE_INTEREST = "legitimate_interest"
    PUBLIC_TASK = "public_task"


@dataclass
class ContactPerson:
    organisation_id: str
    name: str
    legal_basis: LegalBasis
    email: str = ""
    phone: str = ""
    role: str = ""
    consent_given_on: date | None = None
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    updated_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def __post_init__(self) -> None:
        errors: dict[str, list[str]] = {}
        self.name = self.name.strip()
        self.email = self.email.strip().lower()
        if not self.name:
            errors["name"] = ["The name cannot be empty."]
        if self.legal_basis is LegalBasis.CONSENT and self.consent_given_on is None:
            errors["consent_given_on"] = ["With consent as the legal basis, give the day consent was given."]
        if errors:
            raise Invalid("The contact person is not valid.", "CONTACT_PERSON_INVALID", errors)
