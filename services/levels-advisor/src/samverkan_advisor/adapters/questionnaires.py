"""The questionnaire files: YAML in the package, checked by a schema when loaded.

A file that breaks any rule below fails loudly at load, naming what is wrong,
so the service never starts with a questionnaire it cannot apply.
"""

from __future__ import annotations

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
    Option,
    Question,
    Questionnaire,
    Rule,
    Text,
)

CURRENT_VERSION = 1
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


class LevelSchema(Schema):
    id = fields.Enum(Level, by_value=True, required=True)
    label = _text(required=True)
    description = _text(required=True)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> LevelInfo:
        return LevelInfo(**data)


class RuleSchema(Schema):
    code = fields.String(required=True, validate=CODE)
    when = fields.Dict(
        keys=fields.String(validate=ID),
        values=fields.List(fields.String(), validate=validate.Length(min=1)),
        required=True,
        validate=validate.Length(min=1),
    )
    at_most = fields.Enum(Level, by_value=True, required=True)
    reason = _text(required=True)
    warning = _text(load_default=None)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Rule:
        when = {question: tuple(options) for question, options in data["when"].items()}
        return Rule(**{**data, "when": when})


class QuestionnaireSchema(Schema):
    version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    title = _text(required=True)
    intro = _text(required=True)
    levels = fields.List(fields.Nested(LevelSchema), required=True)
    questions = fields.List(fields.Nested(QuestionSchema), required=True, validate=validate.Length(min=1))
    rules = fields.List(fields.Nested(RuleSchema), required=True)
    summary = _text(required=True)
    passed_steps = _text(required=True)

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
            for question_id, option_ids in rule.when.items():
                question = questions.get(question_id)
                if question is None:
                    problem = f"There is no question {question_id!r}."
                else:
                    unknown = [o for o in option_ids if o not in question.option_ids]
                    if not unknown:
                        continue
                    problem = f"Question {question_id!r} has no option {', '.join(map(repr, unknown))}."
                rule_errors.setdefault(index, {}).setdefault("when", []).append(problem)
        codes = [rule.code for rule in data.get("rules", [])]
        for index, code in enumerate(codes):
            if code in codes[:index]:
                rule_errors.setdefault(index, {}).setdefault("code", []).append("Another rule has this code.")
        if rule_errors:
            errors["rules"] = rule_errors
        summary = data.get("summary")
        if summary and not (LEVEL_MARKER in summary.sv and LEVEL_MARKER in summary.en):
            errors["summary"] = [f"Both languages must contain {LEVEL_MARKER}, where the level is named."]
        if errors:
            raise ValidationError(errors)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Questionnaire:
        return Questionnaire(**{key: tuple(v) if isinstance(v, list) else v for key, v in data.items()})


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
    return questionnaire


def load_questionnaire(version: int = CURRENT_VERSION) -> Questionnaire:
    """The packaged questionnaire of ``version`` (``questionnaires/v<version>.yaml``)."""
    name = f"v{version}.yaml"
    path = resources.files("samverkan_advisor") / "questionnaires" / name
    questionnaire = read_questionnaire(path.read_text(encoding="utf-8"), source=name)
    if questionnaire.version != version:
        raise QuestionnaireError(f"{name} says it is version {questionnaire.version}")
    return questionnaire
