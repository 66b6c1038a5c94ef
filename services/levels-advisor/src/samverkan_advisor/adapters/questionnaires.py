"""The questionnaire files: YAML in the package, checked by a schema when loaded.

A file that breaks any rule below fails loudly at load, naming what is wrong,
so the service never starts with a questionnaire it cannot apply.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from importlib import resources
from typing import Any

import yaml
from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from ..domain.model import (
    LEVEL_MARKER,
    STEP_QUESTION,
    DecisionStep,
    Level,
    LevelInfo,
    MethodCell,
    MethodMatrix,
    Note,
    Option,
    Page,
    Principle,
    Question,
    Questionnaire,
    Rule,
    Scoring,
    Text,
)

CURRENT_VERSION = 3
ABBREVIATION = validate.Regexp(r"^[A-ZÅÄÖ]{2,}$", error="Write the abbreviation in capital letters.")
CONFIDENCE_TEXTS = ("limit_decides", "clear_margin", "near_border", "unknowns")
ID = validate.Regexp(r"^[a-z][a-z0-9_]*$", error="Use lower-case letters, digits and underscores.")
CODE = validate.Regexp(r"^[A-Z][A-Z0-9_]*$", error="Use upper-case letters, digits and underscores.")
NOT_BLANK = validate.Regexp(r"\S", error="The text cannot be empty.")


class QuestionnaireError(ValueError):
    """A questionnaire file that cannot be used; ``messages`` says why, per field."""

    def __init__(self, detail: str, messages: Any = None):
        super().__init__(f"{detail}: {messages}" if messages else detail)
        self.messages = messages


def _text(**kwargs: Any) -> fields.Nested:
    return fields.Nested(TextSchema, **kwargs)


class TextSchema(Schema):
    sv = fields.String(required=True, validate=NOT_BLANK)
    en = fields.String(required=True, validate=NOT_BLANK)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Text:
        return Text(**data)


class OptionSchema(Schema):
    id = fields.String(required=True, validate=ID)
    label = _text(required=True)
    unsure = fields.Boolean(load_default=False)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Option:
        return Option(**data)


class QuestionSchema(Schema):
    id = fields.String(required=True, validate=ID)
    text = _text(required=True)
    help = _text(required=True)
    required = fields.Boolean(load_default=True)
    options = fields.List(fields.Nested(OptionSchema), required=True, validate=validate.Length(min=2))

    @validates_schema
    def option_ids_are_unique(self, data: dict[str, Any], **_: Any) -> None:
        ids = [option.id for option in data.get("options", [])]
        if len(ids) != len(set(ids)):
            raise ValidationError("Two options have the same id.", "options")

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Question:
        return Question(**{**data, "options": tuple(data["options"])})


class PageSchema(Schema):
    id = fields.String(required=True, validate=ID)
    heading = _text(required=True)
    questions = fields.List(fields.String(validate=ID), required=True, validate=validate.Length(min=1))

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Page:
        return Page(**{**data, "questions": tuple(data["questions"])})


class LevelSchema(Schema):
    id = fields.Enum(Level, by_value=True, required=True)
    label = _text(required=True)
    description = _text(required=True)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> LevelInfo:
        return LevelInfo(**data)


WHEN = fields.Dict(
    keys=fields.String(validate=ID),
    values=fields.List(fields.String(), validate=validate.Length(min=1)),
    required=True,
    validate=validate.Length(min=1),
)


class RuleSchema(Schema):
    code = fields.String(required=True, validate=CODE)
    when = WHEN
    at_most = fields.Enum(Level, by_value=True, load_default=None)
    at_least = fields.Enum(Level, by_value=True, load_default=None)
    weight = fields.Integer(load_default=0, strict=True, validate=validate.Range(min=-20, max=20))
    steps = fields.List(fields.Enum(DecisionStep, by_value=True), load_default=None, validate=validate.Length(min=1))
    level_in = fields.List(fields.Enum(Level, by_value=True), load_default=None, validate=validate.Length(min=1))
    reason = _text(required=True)
    warning = _text(load_default=None)
    argues_for = fields.Enum(Level, by_value=True, load_default=None)

    @validates_schema
    def does_something(self, data: dict[str, Any], **_: Any) -> None:
        acts = data.get("weight") or data.get("at_most") or data.get("at_least")
        if data.get("level_in") is not None:
            if acts:
                raise ValidationError("A rule with level_in only warns: it cannot change the level.", "level_in")
            if data.get("warning") is None:
                raise ValidationError("A rule with level_in needs a warning.", "warning")
        elif data.get("steps") is not None and not acts:
            raise ValidationError(
                "Only a weight, a ceiling (at_most) or a minimum (at_least) can be limited to steps.", "steps"
            )
        at_most, at_least = data.get("at_most"), data.get("at_least")
        if at_most is not None and at_least is not None and at_least.rank > at_most.rank:
            raise ValidationError("The minimum is above the ceiling.", "at_least")

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Rule:
        when = {question: tuple(options) for question, options in data["when"].items()}
        steps = tuple(data["steps"]) if data["steps"] is not None else None
        level_in = tuple(data["level_in"]) if data["level_in"] is not None else None
        return Rule(**{**data, "when": when, "steps": steps, "level_in": level_in})


class ScoringSchema(Schema):
    thresholds = fields.Dict(keys=fields.Enum(Level, by_value=True), values=fields.Integer(strict=True), required=True)
    high_margin = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))
    medium_margin = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))
    unknowns_per_step = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    texts = fields.Dict(keys=fields.String(), values=_text(), required=True)

    @validates_schema
    def complete(self, data: dict[str, Any], **_: Any) -> None:
        above_information = list(Level)[1:]
        thresholds = data.get("thresholds", {})
        if set(thresholds) != set(above_information):
            raise ValidationError(
                f"Give a threshold for each of {', '.join(above_information)}, and only those.", "thresholds"
            )
        values = [thresholds[level] for level in above_information]
        if values != sorted(values) or len(set(values)) != len(values):
            raise ValidationError("Each level needs a higher threshold than the level below it.", "thresholds")
        missing = [key for key in CONFIDENCE_TEXTS if key not in data.get("texts", {})]
        if missing:
            raise ValidationError(f"Missing texts: {', '.join(missing)}.", "texts")

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Scoring:
        return Scoring(**data)


class NoteSchema(Schema):
    when = WHEN
    text = _text(required=True)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Note:
        return Note(when={q: tuple(o) for q, o in data["when"].items()}, text=data["text"])


class PrincipleSchema(Schema):
    id = fields.String(required=True, validate=ID)
    name = _text(required=True)
    check = _text(required=True)
    notes = fields.List(fields.Nested(NoteSchema), load_default=list)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Principle:
        return Principle(**{**data, "notes": tuple(data["notes"])})


class QuestionnaireSchema(Schema):
    version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    title = _text(required=True)
    intro = _text(required=True)
    levels = fields.List(fields.Nested(LevelSchema), required=True)
    questions = fields.List(fields.Nested(QuestionSchema), required=True, validate=validate.Length(min=1))
    rules = fields.List(fields.Nested(RuleSchema), required=True)
    summary = _text(required=True)
    passed_steps = _text(required=True)
    scoring = fields.Nested(ScoringSchema, load_default=None)
    principles = fields.List(fields.Nested(PrincipleSchema), load_default=list)
    abbreviations = fields.Dict(keys=fields.String(validate=ABBREVIATION), values=_text(), load_default=dict)
    floor_blocked = _text(load_default=None)
    set_aside = _text(load_default=None)
    pages = fields.List(fields.Nested(PageSchema), load_default=list)

    @validates_schema
    def parts_fit_together(self, data: dict[str, Any], **_: Any) -> None:
        errors: dict[str, Any] = {}
        if [info.id for info in data.get("levels", [])] != list(Level):
            errors["levels"] = [f"List the four levels once each, in order: {', '.join(Level)}."]
        questions = {q.id: q for q in data.get("questions", [])}
        if len(questions) != len(data.get("questions", [])):
            errors["questions"] = ["Two questions have the same id."]
        step = questions.get(STEP_QUESTION)
        if step is None or not step.required or list(step.option_ids) != list(DecisionStep):
            errors.setdefault("questions", []).append(
                f"A required question {STEP_QUESTION!r} must offer the six decision steps in order: "
                f"{', '.join(DecisionStep)}."
            )
        rule_errors: dict[int, dict[str, list[str]]] = {}
        for index, rule in enumerate(data.get("rules", [])):
            for problem in _condition_problems(rule.when, questions):
                rule_errors.setdefault(index, {}).setdefault("when", []).append(problem)
        codes = [rule.code for rule in data.get("rules", [])]
        for index, code in enumerate(codes):
            if code in codes[:index]:
                rule_errors.setdefault(index, {}).setdefault("code", []).append("Another rule has this code.")
        if rule_errors:
            errors["rules"] = rule_errors
        principle_errors: dict[int, list[str]] = {}
        for index, principle in enumerate(data.get("principles", [])):
            for note in principle.notes:
                principle_errors.setdefault(index, []).extend(_condition_problems(note.when, questions))
        if any(principle_errors.values()):
            errors["principles"] = {index: problems for index, problems in principle_errors.items() if problems}
        pages = data.get("pages", [])
        if pages:
            paged = [question_id for page in pages for question_id in page.questions]
            if paged != [q.id for q in data.get("questions", [])]:
                errors["pages"] = ["Put every question on exactly one page, in the order the questions are listed."]
            if len({page.id for page in pages}) != len(pages):
                errors.setdefault("pages", []).append("Two pages have the same id.")
        summary = data.get("summary")
        if summary and not (LEVEL_MARKER in summary.sv and LEVEL_MARKER in summary.en):
            errors["summary"] = [f"Both languages must contain {LEVEL_MARKER}, where the level is named."]
        if errors:
            raise ValidationError(errors)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Questionnaire:
        return Questionnaire(**{key: tuple(v) if isinstance(v, list) else v for key, v in data.items()})


def _condition_problems(when: Any, questions: dict[str, Question]) -> list[str]:
    problems = []
    for question_id, option_ids in when.items():
        question = questions.get(question_id)
        if question is None:
            problems.append(f"There is no question {question_id!r}.")
            continue
        unknown = [o for o in option_ids if o not in question.option_ids]
        if unknown:
            problems.append(f"Question {question_id!r} has no option {', '.join(map(repr, unknown))}.")
    return problems


def read_questionnaire(text: str, source: str = "questionnaire") -> Questionnaire:
    """Parse and check a questionnaire from YAML text; :class:`QuestionnaireError` if unusable."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise QuestionnaireError(f"{source} is not valid YAML", str(error)) from None
    try:
        questionnaire: Questionnaire = QuestionnaireSchema().load(raw)
    except ValidationError as error:
        raise QuestionnaireError(f"{source} is not a valid questionnaire", error.messages) from None
    return replace(questionnaire, digest=hashlib.sha256(text.encode("utf-8")).hexdigest())


def load_all_questionnaires() -> dict[int, Questionnaire]:
    """Every packaged version, so that an old assessment can still show its questions."""
    folder = resources.files("samverkan_advisor") / "questionnaires"
    names = (re.fullmatch(r"v(\d+)\.yaml", entry.name) for entry in folder.iterdir())
    versions = sorted(int(match.group(1)) for match in names if match)
    return {version: load_questionnaire(version) for version in versions}


def load_questionnaire(version: int = CURRENT_VERSION) -> Questionnaire:
    """The packaged questionnaire of ``version`` (``questionnaires/v<version>.yaml``)."""
    name = f"v{version}.yaml"
    path = resources.files("samverkan_advisor") / "questionnaires" / name
    questionnaire = read_questionnaire(path.read_text(encoding="utf-8"), source=name)
    if questionnaire.version != version:
        raise QuestionnaireError(f"{name} says it is version {questionnaire.version}")
    return questionnaire


# An unverified cell says why in its source: with one of these (any case).
UNCHECKED_MARKS = ("not checked", "not in the code")
CODE_YEAR = re.compile(r"\b(2009|2019)\b")


class MethodSchema(Schema):
    level = fields.Enum(Level, by_value=True, required=True)
    step = fields.Enum(DecisionStep, by_value=True, required=True)
    verified = fields.Boolean(required=True)
    source = fields.String(required=True, validate=NOT_BLANK)
    methods = fields.List(_text(), required=True, validate=validate.Length(min=1))

    @validates_schema
    def source_matches_verified(self, data: dict[str, Any], **_: Any) -> None:
        source = data.get("source", "")
        unchecked = any(mark in source.lower() for mark in UNCHECKED_MARKS)
        if data.get("verified"):
            if unchecked:
                raise ValidationError("A verified cell cannot say it is not checked or not in the Code.", "source")
            if not (CODE_YEAR.search(source) and "section" in source.lower()):
                raise ValidationError(
                    "Name the Code's year (2009 or 2019) and section the cell was checked in.", "source"
                )
        elif not unchecked and data.get("verified") is not None:
            raise ValidationError(
                f"An unverified cell must say why: {' or '.join(map(repr, UNCHECKED_MARKS))}.", "source"
            )

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> MethodCell:
        return MethodCell(**{**data, "methods": tuple(data["methods"])})


class MethodMatrixSchema(Schema):
    source = _text(required=True)
    cells = fields.List(fields.Nested(MethodSchema), required=True)

    @validates_schema
    def every_cell_once(self, data: dict[str, Any], **_: Any) -> None:
        seen = [(cell.level, cell.step) for cell in data.get("cells", [])]
        expected = {(level, step) for level in Level for step in DecisionStep}
        if len(seen) != len(set(seen)) or set(seen) != expected:
            raise ValidationError("Give each level at each decision step exactly once (24 cells).", "cells")

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> MethodMatrix:
        return MethodMatrix(cells={(cell.level, cell.step): cell for cell in data["cells"]}, source=data["source"])


def read_methods(text: str, source: str = "methods") -> MethodMatrix:
    """Parse and check the matrix of methods; :class:`QuestionnaireError` if unusable."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise QuestionnaireError(f"{source} is not valid YAML", str(error)) from None
    try:
        matrix: MethodMatrix = MethodMatrixSchema().load(raw)
    except ValidationError as error:
        raise QuestionnaireError(f"{source} is not a valid matrix of methods", error.messages) from None
    return matrix


def load_methods() -> MethodMatrix:
    """The packaged matrix of methods (``questionnaires/methods.yaml``)."""
    path = resources.files("samverkan_advisor") / "questionnaires" / "methods.yaml"
    return read_methods(path.read_text(encoding="utf-8"), source="methods.yaml")
