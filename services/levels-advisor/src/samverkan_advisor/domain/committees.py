"""The region's committees and boards: reference data that an operator keeps, and plans point to.

A committee has a stable ``id`` (a slug such as ``bmr``) that plans keep, a short name (``BMR``) that
forums and the follow-up use, and a full name (``Beredningen för mänskliga rättigheter``). Renaming
changes the names, never the id, so every plan follows the new name. A committee that no longer
exists is retired: it stays for the plans that name it, but new plans cannot choose it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from samverkan_common.errors import Conflict, Invalid

COMMITTEE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")

# The committees and boards as migration 0003 seeds them: (id, short name, full name).
REGION_COMMITTEES = (
    ("rs", "RS", "Regionstyrelsen"),
    ("bmr", "BMR", "Beredningen för mänskliga rättigheter"),
    ("kun", "KUN", "Kulturnämnden"),
    ("drn-fyrbodal", "DRN Fyrbodal", "Delregionala nämnden Fyrbodal"),
    ("drn-goteborgsregionen", "DRN Göteborgsregionen", "Delregionala nämnden Göteborgsregionen"),
    ("drn-sjuharad", "DRN Sjuhärad", "Delregionala nämnden Sjuhärad"),
    ("drn-skaraborg", "DRN Skaraborg", "Delregionala nämnden Skaraborg"),
    ("run", "RUN", "Regionala utvecklingsnämnden"),
    ("hss", "HSS", "Hälso- och sjukvårdsstyrelsen"),
    ("hsn-goteborg", "HSN Göteborg", "Hälso- och sjukvårdsnämnden Göteborg"),
    ("hsn-norra", "HSN Norra", "Hälso- och sjukvårdsnämnden norra"),
    ("hsn-sodra", "HSN Södra", "Hälso- och sjukvårdsnämnden södra"),
    ("hsn-vastra", "HSN Västra", "Hälso- och sjukvårdsnämnden västra"),
    ("hsn-ostra", "HSN Östra", "Hälso- och sjukvårdsnämnden östra"),
    ("ktn", "KTN", "Kollektivtrafiknämnden"),
    ("mn", "MN", "Miljönämnden"),
)


@dataclass(frozen=True)
class Committee:
    id: str
    short_name: str
    name: str
    retired_at: datetime | None = None
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    updated_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def retired(self) -> bool:
        return self.retired_at is not None

    def known_as(self, reference: str) -> bool:
        """Whether ``reference`` names this committee: its id, short name or full name, in any case."""
        wanted = reference.strip().casefold()
        return wanted in (self.id, self.short_name.casefold(), self.name.casefold())


def _names(short_name: str, name: str) -> tuple[str, str]:
    short_name, name = short_name.strip(), name.strip()
    errors = {}
    if not short_name:
        errors["short_name"] = ["Give the committee a short name, like BMR."]
    if not name:
        errors["name"] = ["Give the committee its full name."]
    if errors:
        raise Invalid("The committee needs a short and a full name.", "COMMITTEE_INVALID", errors)
    return short_name, name


def _unique(committee: Committee, others: Iterable[Committee]) -> None:
    """No two committees may share a short or full name: a plan naming one must name exactly one."""
    for other in others:
        if other.id == committee.id:
            continue
        if other.known_as(committee.short_name) or other.known_as(committee.name):
            raise Conflict(
                f"The committee {other.id!r} already has that name.",
                "COMMITTEE_NAME_TAKEN",
                {"name": [f"{other.short_name} ({other.name}) already has that name."]},
            )


def new_committee(
    committee_id: str, short_name: str, name: str, existing: Iterable[Committee], now: datetime | None = None
) -> Committee:
    existing = list(existing)
    if not COMMITTEE_ID.match(committee_id):
        raise Invalid(
            "The id is not valid.",
            "COMMITTEE_INVALID",
            {"id": ["Use lower-case letters a-z, digits and hyphens, like drn-fyrbodal."]},
        )
    if any(other.id == committee_id for other in existing):
        raise Conflict(f"There is already a committee {committee_id!r}.", "COMMITTEE_EXISTS")
    short_name, name = _names(short_name, name)
    moment = now or datetime.now(UTC)
    committee = Committee(id=committee_id, short_name=short_name, name=name, created_at=moment, updated_at=moment)
    _unique(committee, existing)
    return committee


def changed(
    committee: Committee, changes: Mapping[str, Any], existing: Iterable[Committee], now: datetime | None = None
) -> Committee:
    """Rename (``short_name``, ``name``) or retire (``retired``: true) or restore (false) a committee."""
    moment = now or datetime.now(UTC)
    short_name, name = _names(changes.get("short_name", committee.short_name), changes.get("name", committee.name))
    retired_at = committee.retired_at
    if "retired" in changes:
        retired_at = (committee.retired_at or moment) if changes["retired"] else None
    result = replace(committee, short_name=short_name, name=name, retired_at=retired_at, updated_at=moment)
    _unique(result, existing)
    return result


def find(reference: str, committees: Iterable[Committee]) -> Committee | None:
    """The committee ``reference`` names (by id first, then by short or full name), or None."""
    committees = list(committees)
    by_id = next((committee for committee in committees if committee.id == reference.strip()), None)
    return by_id or next((committee for committee in committees if committee.known_as(reference)), None)


def chosen(reference: str, committees: Iterable[Committee]) -> Committee:
    """The committee a new or changed plan names: it must exist and not be retired."""
    committee = find(reference, committees)
    if committee is None:
        raise Invalid(
            "There is no such committee.",
            "COMMITTEE_NOT_FOUND",
            {"committee": [f"Choose one of the region's committees; {reference!r} is not one."]},
        )
    if committee.retired:
        raise Invalid(
            "The committee is retired.",
            "COMMITTEE_RETIRED",
            {"committee": [f"{committee.name} no longer exists; choose another committee."]},
        )
    return committee
