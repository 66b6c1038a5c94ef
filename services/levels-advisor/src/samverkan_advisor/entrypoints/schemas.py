"""The wire contract of the levels advisor: what its RPCs accept and return."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from samverkan_common.participation import Level

from ..domain.model import Assessment, Questionnaire, Text

LANGUAGES = ("sv", "en")


class QuestionnaireQuerySchema(Schema):
    language = fields.String(load_default="sv", validate=validate.OneOf(LANGUAGES))


class AssessSchema(Schema):
    # Question and option ids are checked against the questionnaire by the domain,
    # which names each bad answer as ``answers.<question_id>``.
    answers = fields.Dict(keys=fields.String(), values=fields.Raw(), required=True)


class MessageSchema(Schema):
    code = fields.String()
    sv = fields.String()
    en = fields.String()


class AssessmentSchema(Schema):
    id = fields.String()
    questionnaire_version = fields.Integer()
    level = fields.Enum(Level, by_value=True)
    levels_by_step = fields.Method("steps")
    reasons = fields.List(fields.Nested(MessageSchema))
    warnings = fields.List(fields.Nested(MessageSchema))
    answers = fields.Dict(keys=fields.String(), values=fields.String())
    created_at = fields.DateTime()

    def steps(self, assessment: Assessment) -> dict[str, str]:
        return {step.value: level.value for step, level in assessment.levels_by_step.items()}


def questionnaire_out(questionnaire: Questionnaire, language: str) -> dict[str, Any]:
    """The questionnaire in one language, with its rule table, as a JSON-safe dict."""

    def say(text: Text) -> str:
        return text.in_language(language)

    return {
        "version": questionnaire.version,
        "language": language,
        "title": say(questionnaire.title),
        "intro": say(questionnaire.intro),
        "levels": [
            {"id": info.id.value, "label": say(info.label), "description": say(info.description)}
            for info in questionnaire.levels
        ],
        "questions": [
            {
                "id": question.id,
                "text": say(question.text),
                "help": say(question.help),
                "required": question.required,
                "options": [{"id": option.id, "label": say(option.label)} for option in question.options],
            }
            for question in questionnaire.questions
        ],
        # Openness: the planner can see exactly which rule gives which limit.
        "rules": [
            {
                "code": rule.code,
                "when": {question: list(options) for question, options in rule.when.items()},
                "at_most": rule.at_most.value,
                "reason": say(rule.reason),
                "warning": say(rule.warning) if rule.warning else None,
            }
            for rule in questionnaire.rules
        ],
    }
