"""The planning questionnaire, its rule table and the assessment it yields.

Plain values only: the questionnaire and its rules are data (see
``questionnaires/v1.yaml``); :mod:`.advice` applies them.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from samverkan_common.participation import DecisionStep, Level

# The question whose options are the decision steps; every questionnaire has it.
STEP_QUESTION = "step"
# What the summary reason says in place of this marker: the recommended level's name.
LEVEL_MARKER = "{level}"


def lowest(levels: list[Level]) -> Level:
    return min(levels, key=lambda level: level.rank)


@dataclass(frozen=True)
class Text:
    """One piece of public text: Swedish first, English second."""

    sv: str
    en: str

    def in_language(self, language: str) -> str:
        return self.sv if language == "sv" else self.en


@dataclass(frozen=True)
class Option:
    id: str
    label: Text


@dataclass(frozen=True)
class Question:
    id: str
    text: Text
    help: Text
    options: tuple[Option, ...]
    required: bool = True

    @property
    def option_ids(self) -> tuple[str, ...]:
        return tuple(option.id for option in self.options)


@dataclass(frozen=True)
class Rule:
    """One row of the rule table.

    It fires when every question in ``when`` was answered with one of the
    options listed for it; it then allows no level above ``at_most`` and
    explains itself with ``reason`` (and, where the planner should act,
    ``warning``).
    """

    code: str
    when: Mapping[str, tuple[str, ...]]
    at_most: Level
    reason: Text
    warning: Text | None = None

    def fires(self, answers: Mapping[str, str]) -> bool:
        return all(answers.get(question) in options for question, options in self.when.items())


@dataclass(frozen=True)
class LevelInfo:
    id: Level
    label: Text
    description: Text


@dataclass(frozen=True)
class Questionnaire:
    version: int
    title: Text
    intro: Text
    levels: tuple[LevelInfo, ...]
    questions: tuple[Question, ...]
    rules: tuple[Rule, ...]
    # Fixed rules whose effect is in code but whose words are data.
    summary: Text  # contains LEVEL_MARKER
    passed_steps: Text

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

    def level_label(self, level: Level) -> Text:
        return next(info.label for info in self.levels if info.id is level)


@dataclass(frozen=True)
class Message:
    """A reason or a warning: a stable code and the same sentence in both languages."""

    code: str
    sv: str
    en: str


@dataclass(frozen=True)
class Assessment:
    questionnaire_version: int
    answers: Mapping[str, str]
    level: Level
    levels_by_step: Mapping[DecisionStep, Level]
    reasons: tuple[Message, ...]
    warnings: tuple[Message, ...]
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
