"""The HTTP contract of the levels advisor."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..events.schemas import LEVELS

STEPS = ("agenda_setting", "drafting", "decision", "implementation", "monitoring", "reformulation")
PRINCIPLES = ("independence", "dialogue", "quality", "long_term", "openness", "diversity")
PLAN_STATES = ("planned", "meetings_booked", "outcome_recorded", "feedback_given")


class LanguageQuerySchema(Schema):
    language = fields.String(load_default="sv", validate=validate.OneOf(("sv", "en")))
    version = fields.Integer(
        load_default=None,
        validate=validate.Range(min=1, max=1000),
        metadata={"description": "An earlier version, as an old assessment was made with; the current by default."},
    )


class QuestionnaireSchema(Schema):
    version = fields.Integer()
    digest = fields.String(metadata={"description": "SHA-256 of the questionnaire and rules file."})
    language = fields.String()
    title = fields.String()
    intro = fields.String()
    levels = fields.List(fields.Dict(), metadata={"description": "The four levels with label and description."})
    questions = fields.List(fields.Dict(), metadata={"description": "Questions with options and help text."})
    pages = fields.List(
        fields.Dict(),
        metadata={
            "description": "Related questions shown together, in order: id, heading and question ids "
            "(version 3 onwards; empty when each question has a page of its own)."
        },
    )
    scoring = fields.Dict(
        allow_none=True, metadata={"description": "Thresholds from score to level (version 2 onwards)."}
    )
    abbreviations = fields.Dict(keys=fields.String(), values=fields.String())
    principles = fields.List(fields.Dict(), metadata={"description": "The six principles to check a plan against."})
    rules = fields.List(
        fields.Dict(), metadata={"description": "Which answers push the level up or down or limit it, and why."}
    )


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
    direction = fields.String(
        validate=validate.OneOf(("up", "down", "limit", "floor", "note")),
        metadata={"description": "Which way the answer pushed (version 2 onwards)."},
    )
    weight = fields.Integer()
    steps = fields.List(
        fields.String(validate=validate.OneOf(STEPS)),
        allow_none=True,
        metadata={"description": "The decision steps a reason is about, when not every step (version 3 onwards)."},
    )


class TextSchema(Schema):
    sv = fields.String()
    en = fields.String()


class StepMethodsSchema(Schema):
    step = fields.String(validate=validate.OneOf(STEPS))
    level = fields.String(validate=validate.OneOf(LEVELS))
    methods = fields.List(fields.Nested(TextSchema))
    verified = fields.Boolean(metadata={"description": "Checked against the Council of Europe Code's own text."})


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
    level = fields.String(validate=validate.OneOf(LEVELS))
    levels_by_step = fields.Dict(
        keys=fields.String(), values=fields.String(), metadata={"description": "From the current step onwards."}
    )
    score = fields.Integer(allow_none=True)
    confidence = fields.String(allow_none=True, validate=validate.OneOf(("low", "medium", "high")))
    confidence_reasons = fields.List(fields.Nested(ReasonSchema))
    reasons = fields.List(fields.Nested(ReasonSchema))
    warnings = fields.List(fields.Nested(ReasonSchema))
    methods = fields.List(fields.Nested(StepMethodsSchema))
    checklist = fields.List(fields.Nested(CheckItemSchema))
    answers = fields.Dict(keys=fields.String(), values=fields.String())
    created_at = fields.String(metadata={"format": "date-time"})


NAME = validate.Length(min=1, max=200)
MUNICIPALITY = validate.Regexp(r"^\d{4}$", error="Use the four-digit municipality code.")


PRINCIPLES_CHECKED = fields.List(
    fields.String(validate=validate.OneOf(PRINCIPLES)),
    validate=validate.Length(max=6),
    metadata={"description": "The six principles the plan has been checked against, as ticked off."},
)


class PlanInSchema(Schema):
    assessment_id = fields.String(required=True, validate=validate.Length(min=1, max=36))
    committee = fields.String(
        required=True,
        validate=NAME,
        metadata={
            "example": "bmr",
            "description": "One of GET /api/v1/advisor/committees, by id, short or full name; not retired.",
        },
    )
    issue = fields.String(required=True, validate=validate.Length(min=1, max=500))
    starts_on = fields.Date(metadata={"description": "When the dialogue starts; today by default."})
    level = fields.String(validate=validate.OneOf(LEVELS), metadata={"description": "The recommended by default."})
    level_reason = fields.String(
        allow_none=True,
        validate=validate.Length(max=5000),
        metadata={"description": "Required when the level differs from the recommended one."},
    )
    areas = fields.List(fields.String(validate=NAME), validate=validate.Length(max=50))
    municipalities = fields.List(fields.String(validate=MUNICIPALITY), validate=validate.Length(max=50))
    forum_slugs = fields.List(fields.String(validate=validate.Length(min=1, max=80)), validate=validate.Length(max=50))
    invited_organisation_ids = fields.List(
        fields.String(validate=validate.Length(min=1, max=36)), validate=validate.Length(max=500)
    )


class PlanChangeSchema(Schema):
    committee = fields.String(validate=NAME, metadata={"description": "A committee's id, short or full name."})
    issue = fields.String(validate=validate.Length(min=1, max=500))
    starts_on = fields.Date()
    step = fields.String(validate=validate.OneOf(STEPS))
    level = fields.String(validate=validate.OneOf(LEVELS))
    level_reason = fields.String(allow_none=True, validate=validate.Length(max=5000))
    areas = fields.List(fields.String(validate=NAME), validate=validate.Length(max=50))
    municipalities = fields.List(fields.String(validate=MUNICIPALITY), validate=validate.Length(max=50))
    forum_slugs = fields.List(fields.String(validate=validate.Length(min=1, max=80)), validate=validate.Length(max=50))
    invited_organisation_ids = fields.List(
        fields.String(validate=validate.Length(min=1, max=36)), validate=validate.Length(max=500)
    )
    principles_checked = PRINCIPLES_CHECKED


class CommitteeQuerySchema(Schema):
    include_retired = fields.Boolean(load_default=False, metadata={"description": "Retired committees too."})


class CommitteeInSchema(Schema):
    id = fields.String(
        required=True,
        validate=validate.Regexp(r"^[a-z0-9][a-z0-9-]{0,39}$", error="Use a-z, 0-9 and hyphens, like drn-fyrbodal."),
        metadata={"description": "A stable id that plans keep; it never changes.", "example": "pn"},
    )
    short_name = fields.String(required=True, validate=validate.Length(min=1, max=60), metadata={"example": "PN"})
    name = fields.String(required=True, validate=NAME, metadata={"example": "Patientnämnden"})


class CommitteeChangeSchema(Schema):
    short_name = fields.String(validate=validate.Length(min=1, max=60))
    name = fields.String(validate=NAME)
    retired = fields.Boolean(metadata={"description": "true retires it (no new plans), false brings it back."})


class CommitteeSchema(Schema):
    id = fields.String()
    short_name = fields.String()
    name = fields.String()
    retired = fields.Boolean()
    retired_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    created_at = fields.String(metadata={"format": "date-time"})
    updated_at = fields.String(metadata={"format": "date-time"})


class OutcomeInSchema(Schema):
    outcome = fields.String(required=True, validate=validate.Length(min=1, max=10000))
    feedback = fields.String(
        required=True,
        validate=validate.Length(min=1, max=10000),
        metadata={"description": "The feedback (återkoppling) given to the participants."},
    )
    feedback_on = fields.Date(required=True)
    proposals = fields.List(
        fields.Nested(lambda: ProposalSchema()),
        validate=validate.Length(max=100),
        metadata={"description": "The organisations' proposals; one not taken up needs a reason."},
    )
    send_feedback = fields.Boolean(
        metadata={
            "description": "Mail the feedback now to every organisation invited or taking part (at its contact "
            "address in the registry). Default false."
        }
    )


class ProposalSchema(Schema):
    text = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    taken_up = fields.Boolean(required=True)
    reason = fields.String(validate=validate.Length(max=2000))


class OutcomeSchema(Schema):
    outcome = fields.String()
    feedback = fields.String()
    feedback_on = fields.String(metadata={"format": "date"})
    recorded_at = fields.String(metadata={"format": "date-time"})
    proposals = fields.List(fields.Nested(ProposalSchema))
    feedback_sent_at = fields.String(
        allow_none=True, metadata={"format": "date-time", "description": "When the feedback was mailed; null if not."}
    )
    feedback_sent_to = fields.Integer(metadata={"description": "How many organisations it was mailed to."})


class PlanSchema(Schema):
    id = fields.String()
    assessment_id = fields.String()
    questionnaire_version = fields.Integer()
    committee = fields.String()
    issue = fields.String()
    step = fields.String(validate=validate.OneOf(STEPS))
    recommended_level = fields.String(validate=validate.OneOf(LEVELS))
    level = fields.String(validate=validate.OneOf(LEVELS))
    level_reason = fields.String(allow_none=True)
    starts_on = fields.String(metadata={"format": "date"})
    created_by = fields.String()
    areas = fields.List(fields.String())
    municipalities = fields.List(fields.String())
    forum_slugs = fields.List(fields.String())
    invited_organisation_ids = fields.List(fields.String())
    meeting_ids = fields.List(fields.String())
    outcome = fields.Nested(OutcomeSchema, allow_none=True)
    created_at = fields.String(metadata={"format": "date-time"})
    updated_at = fields.String(metadata={"format": "date-time"})
    committee_id = fields.String(
        allow_none=True, metadata={"description": "The committee's id; null for plans made when it was free text."}
    )
    committee_name = fields.String(metadata={"description": "The committee's full name as it is now."})
    principles_checked = fields.List(fields.String(validate=validate.OneOf(PRINCIPLES)))
    state = fields.String(
        validate=validate.OneOf(PLAN_STATES),
        metadata={"description": "Worked out from the plan's meetings, outcome and feedback date."},
    )


class UnavailableSchema(Schema):
    service = fields.String()
    detail = fields.String()


class SuggestionsSchema(Schema):
    plan_id = fields.String()
    organisations = fields.List(fields.Dict(), metadata={"description": "Registry organisations matching the plan."})
    forums = fields.List(fields.Dict(), metadata={"description": "Forums that fit, with why: owner_committee or area."})
    unavailable = fields.List(
        fields.Nested(UnavailableSchema), metadata={"description": "Services that could not answer, and why."}
    )


class PlanMeetingInSchema(Schema):
    forum_slug = fields.String(
        validate=validate.Length(min=1, max=80), metadata={"description": "The plan's first forum by default."}
    )
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    description = fields.String(validate=validate.Length(max=5000))
    starts_at = fields.String(required=True, validate=validate.Length(min=1, max=40), metadata={"format": "date-time"})
    ends_at = fields.String(required=True, validate=validate.Length(min=1, max=40), metadata={"format": "date-time"})
    step = fields.String(validate=validate.OneOf(STEPS), metadata={"description": "The plan's step by default."})
    location = fields.String(validate=validate.Length(max=300))
    online_url = fields.String(validate=validate.Length(max=500))
    level = fields.String(validate=validate.OneOf(LEVELS), metadata={"description": "The plan's level by default."})
    capacity = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=100_000))
    registration_deadline = fields.String(
        allow_none=True, validate=validate.Length(max=40), metadata={"format": "date-time"}
    )


class PlanMeetingSchema(Schema):
    id = fields.String()
    forum_slug = fields.String()
    title = fields.String()
    starts_at = fields.String()
    ends_at = fields.String()
    level = fields.String()
    step = fields.String(allow_none=True)
    status = fields.String()
