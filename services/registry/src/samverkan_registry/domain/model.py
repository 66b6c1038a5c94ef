"""Organisations of civil society: the rules that hold whatever stores or transports them."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from samverkan_common.errors import Conflict, Invalid

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

        if errors:
            # One broken rule keeps its own code; several at once share the general one.
            code = codes.pop() if len(codes) == 1 else "ORGANISATION_INVALID"
            raise Invalid("The organisation is not valid.", code, errors)
