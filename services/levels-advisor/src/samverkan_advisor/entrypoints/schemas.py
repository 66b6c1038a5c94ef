"""The wire contract of the levels advisor: what its RPCs accept and return."""

from __future__ import annotations

from datetime import date
from typing import Any

from marshmallow import Schema, fields, validate

from samverkan_common.participation import DecisionStep, Level

from ..domain.model import Assessment, Questionnaire, Text
from ..domain.plans import AREAS, PRINCIPLES, Plan

LANGUAGES = ("sv", "en")


class QuestionnaireQuerySchema(Schema):
    language = fields.String(load_default="sv", validate=validate.OneOf(LANGUAGES))
    version = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1))


class AssessSchema(Schema):
    # Question and option ids are checked against the questionnaire by the domain,
    # which names each bad answer as ``answers.<question_id>``.
    answers = fields.Dict(keys=fields.String(), values=fields.Raw(), required=True)


class MessageSchema(Schema):
    code = fields.String()
    sv = fields.String()
    en = fields.String()
    direction = fields.String()
    weight = fields.Integer()
    steps = fields.List(fields.String(), allow_none=True)


class TextSchema(Schema):
    sv = fields.String()
    en = fields.String()


class StepMethodsSchema(Schema):
    step = fields.Enum(DecisionStep, by_value=True)
    level = fields.Enum(Level, by_value=True)
    methods = fields.List(fields.Nested(TextSchema))
    verified = fields.Boolean()


class CheckItemSchema(Schema):
    principle = fields.String()
    name = fields.Nested(TextSchema)
    check = fields.Nested(TextSchema)
    attention = fields.Boolean()
    notes = fields.List(fields.Nested(TextSchema))


class AssessmentSchema(Schema):
    id = fields.String()
    questionnaire_version = fields.Integer()
    rules_digest = fields.String(allow_none=True)
    level = fields.Enum(Level, by_value=True)
    levels_by_step = fields.Method("steps")
    score = fields.Integer(allow_none=True)
    confidence = fields.String(allow_none=True)
    confidence_reasons = fields.List(fields.Nested(MessageSchema))
    reasons = fields.List(fields.Nested(MessageSchema))
    warnings = fields.List(fields.Nested(MessageSchema))
    methods = fields.List(fields.Nested(StepMethodsSchema))
    checklist = fields.List(fields.Nested(CheckItemSchema))
    answers = fields.Dict(keys=fields.String(), values=fields.String())
    created_at = fields.DateTime()

    def steps(self, assessment: Assessment) -> dict[str, str]:
        return {step.value: level.value for step, level in assessment.levels_by_step.items()}


NAME = validate.Length(min=1, max=200)
SHORT_LIST = validate.Length(max=50)
AREA = validate.OneOf(tuple(AREAS))


class CreatePlanSchema(Schema):
    assessment_id = fields.String(required=True, validate=validate.Length(min=1, max=36))
    committee = fields.String(required=True, validate=NAME)
    issue = fields.String(required=True, validate=validate.Length(min=1, max=500))
    created_by = fields.String(required=True, validate=NAME)
    starts_on = fields.Date(load_default=None)
    level = fields.Enum(Level, by_value=True, load_default=None)
    level_reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=5000))
    areas = fields.List(fields.String(validate=AREA), load_default=list, validate=SHORT_LIST)
    municipalities = fields.List(
        fields.String(validate=validate.Regexp(r"^\d{4}$", error="Use the four-digit municipality code.")),
        load_default=list,
        validate=SHORT_LIST,
    )
    forum_slugs = fields.List(fields.String(validate=validate.Length(min=1, max=80)), load_default=list)
    invited_organisation_ids = fields.List(
        fields.String(validate=validate.Length(min=1, max=36)), load_default=list, validate=validate.Length(max=500)
    )
    author_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=64))
    principles_checked = fields.List(
        fields.String(validate=validate.OneOf(PRINCIPLES)), load_default=list, validate=validate.Length(max=6)
    )


class UpdatePlanSchema(Schema):
    committee = fields.String(validate=NAME)
    issue = fields.String(validate=validate.Length(min=1, max=500))
    starts_on = fields.Date()
    step = fields.Enum(DecisionStep, by_value=True)
    level = fields.Enum(Level, by_value=True)
    level_reason = fields.String(allow_none=True, validate=validate.Length(max=5000))
    areas = fields.List(fields.String(validate=AREA), validate=SHORT_LIST)
    municipalities = fields.List(
        fields.String(validate=validate.Regexp(r"^\d{4}$", error="Use the four-digit municipality code.")),
        validate=SHORT_LIST,
    )
    forum_slugs = fields.List(fields.String(validate=validate.Length(min=1, max=80)))
    invited_organisation_ids = fields.List(
        fields.String(validate=validate.Length(min=1, max=36)), validate=validate.Length(max=500)
    )
    principles_checked = fields.List(
        fields.String(validate=validate.OneOf(PRINCIPLES)), validate=validate.Length(max=6)
    )


class PlanQuerySchema(Schema):
    author_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    limit = fields.Integer(load_default=500, validate=validate.Range(min=1, max=500))


class CommitteeQuerySchema(Schema):
    include_retired = fields.Boolean(load_default=False)


class NewCommitteeSchema(Schema):
    # The id's form (a slug) is checked by the domain, which names it as ``id``.
    id = fields.String(required=True, validate=validate.Length(min=1, max=40))
    short_name = fields.String(required=True, validate=validate.Length(min=1, max=60))
    name = fields.String(required=True, validate=NAME)


class CommitteeChangeSchema(Schema):
    short_name = fields.String(validate=validate.Length(min=1, max=60))
    name = fields.String(validate=NAME)
    retired = fields.Boolean()


class CommitteeSchema(Schema):
    id = fields.String()
    short_name = fields.String()
    name = fields.String()
    retired = fields.Boolean()
    retired_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class ProposalSchema(Schema):
    text = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    taken_up = fields.Boolean(required=True)
    reason = fields.String(load_default="", validate=validate.Length(max=2000))


class OutcomeInSchema(Schema):
    outcome = fields.String(required=True, validate=validate.Length(min=1, max=10000))
    feedback = fields.String(required=True, validate=validate.Length(min=1, max=10000))
    feedback_on = fields.Date(required=True)
    proposals = fields.List(fields.Nested(ProposalSchema), load_default=list, validate=validate.Length(max=100))
    # Mail the feedback to every organisation invited or taking part (plan_feedback_given).
    send_feedback = fields.Boolean(load_default=False)


class PlanMeetingSchema(Schema):
    """A meeting of a plan: the events service checks the times; level and step come from the plan unless given."""

    forum_slug = fields.String(load_default=None, validate=validate.Length(min=1, max=80))
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    description = fields.String(load_default=None, validate=validate.Length(max=5000))
    starts_at = fields.String(required=True, validate=validate.Length(min=1, max=40))
    ends_at = fields.String(required=True, validate=validate.Length(min=1, max=40))
    step = fields.Enum(DecisionStep, by_value=True, load_default=None)
    location = fields.String(load_default=None, validate=validate.Length(max=300))
    online_url = fields.String(load_default=None, validate=validate.Length(max=500))
    level = fields.Enum(Level, by_value=True, load_default=None)
    capacity = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=100_000))
    registration_deadline = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))


class YearSchema(Schema):
    year = fields.Integer(required=True, strict=True, validate=validate.Range(min=2000, max=2100))


class OutcomeSchema(Schema):
    summary = fields.String(data_key="outcome")
    feedback = fields.String()
    feedback_on = fields.Date()
    recorded_at = fields.DateTime()
    proposals = fields.List(fields.Nested(ProposalSchema))
    feedback_sent_at = fields.DateTime(allow_none=True)
    feedback_sent_to = fields.Integer()


class PlanSchema(Schema):
    id = fields.String()
    assessment_id = fields.String()
    questionnaire_version = fields.Integer()
    committee = fields.String()
    issue = fields.String()
    step = fields.Enum(DecisionStep, by_value=True)
    recommended_level = fields.Enum(Level, by_value=True)
    level = fields.Enum(Level, by_value=True)
    level_reason = fields.String(allow_none=True)
    starts_on = fields.Date()
    created_by = fields.String()
    areas = fields.List(fields.String())
    municipalities = fields.List(fields.String())
    forum_slugs = fields.List(fields.String())
    invited_organisation_ids = fields.List(fields.String())
    meeting_ids = fields.List(fields.String())
    outcome = fields.Nested(OutcomeSchema, allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    committee_id = fields.String(allow_none=True)
    committee_name = fields.String()
    author_id = fields.String(allow_none=True)
    principles_checked = fields.List(fields.String())
    state = fields.Method("current_state")

    def current_state(self, plan: Plan) -> str:
        return plan.state(date.today()).value


def questionnaire_out(questionnaire: Questionnaire, language: str) -> dict[str, Any]:
    """The questionnaire in one language, with its rule table, as a JSON-safe dict."""

    def say(text: Text) -> str:
        return text.in_language(language)

    return {
        "version": questionnaire.version,
        "digest": questionnaire.digest,
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
                "options": [
                    {"id": option.id, "label": say(option.label), "unsure": option.unsure}
                    for option in question.options
                ],
            }
            for question in questionnaire.questions
        ],
        # Related questions shown together, one page each; empty for versions that show one question a page.
        "pages": [
            {"id": page.id, "heading": say(page.heading), "questions": list(page.questions)}
            for page in questionnaire.pages
        ],
        # Openness: the planner can see exactly which rule gives which limit.
        "scoring": (
            {
                "thresholds": {level.value: score for level, score in questionnaire.scoring.thresholds.items()},
                "high_margin": questionnaire.scoring.high_margin,
                "medium_margin": questionnaire.scoring.medium_margin,
                "unknowns_per_step": questionnaire.scoring.unknowns_per_step,
            }
            if questionnaire.scoring
            else None
        ),
        "abbreviations": {short: say(long) for short, long in questionnaire.abbreviations.items()},
        "principles": [
            {"id": principle.id, "name": say(principle.name), "check": say(principle.check)}
            for principle in questionnaire.principles
        ],
        "rules": [
            {
                "code": rule.code,
                "when": {question: list(options) for question, options in rule.when.items()},
                "weight": rule.weight,
                "at_most": rule.at_most.value if rule.at_most else None,
                "at_least": rule.at_least.value if rule.at_least else None,
                "steps": [step.value for step in rule.steps] if rule.steps else None,
                "level_in": [level.value for level in rule.level_in] if rule.level_in else None,
                "argues_for": rule.argued_level.value if rule.argued_level else None,
                "reason": say(rule.reason),
                "warning": say(rule.warning) if rule.warning else None,
            }
            for rule in questionnaire.rules
        ],
    }
