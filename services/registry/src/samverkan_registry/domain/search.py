"""What a search of the register may ask for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .model import DEFAULT_PER_PAGE, Area, OrganisationKind, OrganisationStatus


@dataclass(frozen=True)
class SearchQuery:
    """Free text (prefix matches, every word must match) narrowed by filters that all must hold."""

    q: str | None = None
    municipality: str | None = None
    subregion: str | None = None
    kind: OrganisationKind | None = None
    area: Area | None = None
    forum: str | None = None
    # True: signatories (today, or on signatory_on); False: organisations that are not.
    signatory: bool | None = None
    signatory_on: date | None = None
    status: OrganisationStatus | None = None
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
