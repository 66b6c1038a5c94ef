"""The planning questionnaire, its rules and the assessment it yields.

Plain values only: the questionnaire and its rules are data (see
``questionnaires/v<version>.yaml``) and so is the Council of Europe's matrix
of methods (``methods.yaml``); :mod:`.advice` applies them.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from samverkan_common.participation import DecisionStep, Level

# The question whose options are the decision steps; every questionnaire has it.
STEP_QUESTION = "step"
# What the summary reason says in place of this marker: the recommended level's name.
LEVEL_MARKER = "{level}"


def lowest(levels: list[Level]) -> Level:
    return min(levels, key=lambda level: level.rank)


def highest(levels: list[Level]) -> Level:
    return max(levels, key=lambda level: level.rank)


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
    # "Don't know": the answer is allowed but lowers the confidence of the advice.
    unsure: bool = False


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

    def option(self, option_id: str) -> Option | None:
        return next((option for option in self.options if option.id == option_id), None)


@dataclass(frozen=True)
class Page:
    """A few related questions shown together in the planning wizard, under one heading."""

    id: str
    heading: Text
    questions: tuple[str, ...]


class Direction(StrEnum):
    """Which way a fired rule pushed the advice."""

    UP = "up"  # a positive weight: toward more participation
    DOWN = "down"  # a negative weight: toward less
    LIMIT = "limit"  # a ceiling (at_most)
    FLOOR = "floor"  # a minimum (at_least), such as a legal duty to consult
    NOTE = "note"  # explains or warns, changes no level


@dataclass(frozen=True)
class Rule:
    """One row of the rules.

    It fires when every question in ``when`` was answered with one of the
    options listed for it. A fired rule may add ``weight`` to the score, allow
    no level above ``at_most`` and no level below ``at_least`` (on the
    decision steps in ``steps``, or on every step), and explains itself with
    ``reason`` (and, where the planner should act, ``warning``). A rule with
    ``level_in`` only warns, and only when the recommended level is one of those.

    From version 3 a rule with a weight and neither a ceiling nor a minimum may
    count only on the decision steps in ``steps``, so that the level can differ
    from step to step (beside a ceiling or minimum, ``steps`` limits only those,
    as in version 2). ``argues_for``
    names the level the reason speaks for, where that is more than
    :attr:`argued_level` would guess.
    """

    code: str
    when: Mapping[str, tuple[str, ...]]
    reason: Text
    at_most: Level | None = None
    at_least: Level | None = None
    weight: int = 0
    steps: tuple[DecisionStep, ...] | None = None
    level_in: tuple[Level, ...] | None = None
    warning: Text | None = None
    argues_for: Level | None = None

    def fires(self, answers: Mapping[str, str]) -> bool:
        return all(answers.get(question) in options for question, options in self.when.items())

    def applies_to(self, step: DecisionStep) -> bool:
        """Whether the rule's ceiling or minimum, and its reason, are about ``step``."""
        return self.steps is None or step in self.steps

    @property
    def only_on_steps(self) -> bool:
        """Whether everything the rule does is limited to ``steps``."""
        return self.steps is not None and (self.weight == 0 or (self.at_most is None and self.at_least is None))

    def weighs_at(self, step: DecisionStep) -> bool:
        return self.applies_to(step) if self.only_on_steps else True

    @property
    def argued_level(self) -> Level | None:
        """The lowest level this rule's reason speaks for; ``None`` for a reason that asks for no level.

        A minimum speaks for its level, a ceiling for at most its level, and any push up for at
        least consultation. :func:`.advice.assess` leaves out a reason whose level a ceiling rules out.
        """
        if self.argues_for is not None:
            return self.argues_for
        if self.at_least is not None and self.at_least is not Level.INFORMATION:
            return self.at_least
        if self.at_most is not None and self.at_most is not Level.PARTNERSHIP:
            return self.at_most
        if self.weight > 0:
            return Level.CONSULTATION
        return None

    @property
    def direction(self) -> Direction:
        if self.at_most is not None and self.at_most is not Level.PARTNERSHIP:
            return Direction.LIMIT
        if self.at_least is not None and self.at_least is not Level.INFORMATION:
            return Direction.FLOOR
        if self.weight > 0:
            return Direction.UP
        if self.weight < 0:
            return Direction.DOWN
        return Direction.NOTE


@dataclass(frozen=True)
class Scoring:
    """From the sum of the weights to a level, and how sure the advice is."""

    # The lowest score that gives each level above information.
    thresholds: Mapping[Level, int]
    # At least this far from the nearest border between two levels: high, or medium, confidence.
    high_margin: int
    medium_margin: int
    # Every this many unanswered or "don't know" answers lower the confidence one step.
    unknowns_per_step: int
    texts: Mapping[str, Text]

    def level_for(self, score: int) -> Level:
        level = Level.INFORMATION
        for candidate in list(Level)[1:]:
            if score >= self.thresholds[candidate]:
                level = candidate
        return level

    def margin(self, score: int, level: Level) -> int:
        """How far ``score`` is from the nearest border of ``level``'s band."""
        distances = []
        if level is not Level.INFORMATION:
            distances.append(score - self.thresholds[level])
        above = list(Level)[level.rank + 1 :]
        if above:
            distances.append(self.thresholds[above[0]] - 1 - score)
        return min(distances)


@dataclass(frozen=True)
class Note:
    """A remark on one principle that applies when the answers match ``when``."""

    when: Mapping[str, tuple[str, ...]]
    text: Text

    def applies(self, answers: Mapping[str, str]) -> bool:
        return all(answers.get(question) in options for question, options in self.when.items())


@dataclass(frozen=True)
class Principle:
    """One of Överenskommelsen's six principles, as a question to check a plan against."""

    id: str
    name: Text
    check: Text
    notes: tuple[Note, ...] = ()


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
    # Version 2 onwards: weights and thresholds; without them every level starts at partnership.
    scoring: Scoring | None = None
    principles: tuple[Principle, ...] = ()
    # Abbreviations that the public text may use, each with what it stands for.
    abbreviations: Mapping[str, Text] = field(default_factory=dict)
    # Said when a minimum (such as a legal duty) cannot be met because a ceiling is lower.
    floor_blocked: Text | None = None
    # Version 3 onwards: said once when reasons that speak for a level a ceiling rules out are left out.
    set_aside: Text | None = None
    # Version 3 onwards: the questions grouped into pages; without them the wizard shows one question a page.
    pages: tuple[Page, ...] = ()
    # SHA-256 of the file it was read from: which exact rules an assessment used.
    digest: str = ""

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

    def level_label(self, level: Level) -> Text:
        return next(info.label for info in self.levels if info.id is level)


@dataclass(frozen=True)
class MethodCell:
    """The typical methods for one level at one decision step, from the Code's matrix."""

    level: Level
    step: DecisionStep
    methods: tuple[Text, ...]
    # True only where the cell was checked against the Code's own text.
    verified: bool
    source: str


@dataclass(frozen=True)
class MethodMatrix:
    cells: Mapping[tuple[Level, DecisionStep], MethodCell]
    source: Text

    def cell(self, level: Level, step: DecisionStep) -> MethodCell | None:
        return self.cells.get((level, step))


@dataclass(frozen=True)
class Message:
    """A reason or a warning: a stable code and the same sentence in both languages.

    ``direction`` and ``weight`` say which way the answer behind it pushed
    (absent in assessments made before version 2). ``steps`` names the decision
    steps a reason is about when it is not about every step (version 3 onwards).
    """

    code: str
    sv: str
    en: str
    direction: str | None = None
    weight: int | None = None
    steps: tuple[str, ...] | None = None


@dataclass(frozen=True)
class StepMethods:
    step: DecisionStep
    level: Level
    methods: tuple[Text, ...]
    verified: bool


@dataclass(frozen=True)
class CheckItem:
    principle: str
    name: Text
    check: Text
    notes: tuple[Text, ...]

    @property
    def attention(self) -> bool:
        return bool(self.notes)


@dataclass(frozen=True)
class Assessment:
    questionnaire_version: int
    answers: Mapping[str, str]
    level: Level
    levels_by_step: Mapping[DecisionStep, Level]
    reasons: tuple[Message, ...]
    warnings: tuple[Message, ...]
    score: int | None = None
    confidence: str | None = None
    confidence_reasons: tuple[Message, ...] = ()
    methods: tuple[StepMethods, ...] = ()
    checklist: tuple[CheckItem, ...] = ()
    rules_digest: str | None = None
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def step(self) -> DecisionStep:
        return DecisionStep(self.answers[STEP_QUESTION])
