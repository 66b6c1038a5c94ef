"""The HTTP contract of the levels advisor."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..events.schemas import LEVELS


class LanguageQuerySchema(Schema):
    language = fields.String(load_default="sv", validate=validate.OneOf(("sv", "en")))


class QuestionnaireSchema(Schema):
    version = fields.Integer()
    language = fields.String()
    title = fields.String()
    intro = fields.String()
    levels = fields.List(fields.Dict(), metadata={"description": "The four levels with label and description."})
    questions = fields.List(fields.Dict(), metadata={"description": "Questions with options and help text."})
    rules = fields.List(fields.Dict(), metadata={"description": "Which answers limit the level, and why."})


class AssessmentInSchema(Schema):
    answers = fields.Dict(
        keys=fields.String(validate=validate.Length(max=100)),
        values=fields.String(validate=validate.Length(max=100)),
        required=True,
        validate=validate.Length(max=100),
        metadata={"description": "The chosen option id per question id."},
    )


class ReasonSchema(Schema):
    code = fields.String()
    sv = fields.String()
    en = fields.String()


class AssessmentSchema(Schema):
    id = fields.String()
    questionnaire_version = fields.Integer()
    level = fields.String(validate=validate.OneOf(LEVELS))
    levels_by_step = fields.Dict(keys=fields.String(), values=fields.String())
    reasons = fields.List(fields.Nested(ReasonSchema))
    warnings = fields.List(fields.Nested(ReasonSchema))
    answers = fields.Dict(keys=fields.String(), values=fields.String())
    created_at = fields.String(metadata={"format": "date-time"})
