"""The vocabulary every service shares: the Code of Good Practice's levels and steps.

From the Council of Europe's *Code of Good Practice for Civil Participation in
the Decision-Making Process* (2009), which Överenskommelsen adopts.
"""

from __future__ import annotations

from enum import StrEnum


class Level(StrEnum):
    """The four levels of participation, least to most."""

    INFORMATION = "information"
    CONSULTATION = "consultation"
    DIALOGUE = "dialogue"
    PARTNERSHIP = "partnership"

    @property
    def rank(self) -> int:
        return list(Level).index(self)


class DecisionStep(StrEnum):
    """The six steps of the decision process, in the order they happen."""

    AGENDA_SETTING = "agenda_setting"
    DRAFTING = "drafting"
    DECISION = "decision"
    IMPLEMENTATION = "implementation"
    MONITORING = "monitoring"
    REFORMULATION = "reformulation"
