"""The HTTP contract of the follow-up report."""

from __future__ import annotations

from marshmallow import Schema, fields, validate


class FollowUpQuerySchema(Schema):
    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))
    format = fields.String(
        load_default=None,
        validate=validate.OneOf(("json", "csv")),
        metadata={"description": "csv for a spreadsheet; or send Accept: text/csv. JSON by default."},
    )


class DialoguesSchema(Schema):
    total = fields.Integer()
    by_committee = fields.Dict(keys=fields.String(), values=fields.Integer())
    by_level = fields.Dict(keys=fields.String(), values=fields.Integer())
    by_step = fields.Dict(keys=fields.String(), values=fields.Integer())
    early = fields.Integer(metadata={"description": "Started at agenda setting or drafting."})
    early_share = fields.Float(allow_none=True)
    chosen_other_than_recommended = fields.Integer()
    outcome_recorded = fields.Integer()
    feedback_given = fields.Integer(metadata={"description": "Feedback (återkoppling) given on or before as_of."})
    meetings_booked = fields.Integer(metadata={"description": "The sum of the rows' meetings_booked."})
    meetings_held = fields.Integer(metadata={"description": "The sum of the rows' meetings_held."})
    organisations_invited = fields.Integer(
        metadata={"description": "The sum of the rows' organisations_invited (one invited twice counts twice)."}
    )
    organisations_took_part = fields.Integer(metadata={"description": "The sum of the rows' organisations_took_part."})


class DialogueRowSchema(Schema):
    plan_id = fields.String()
    committee = fields.String()
    committee_name = fields.String()
    issue = fields.String()
    level = fields.String()
    step = fields.String()
    starts_on = fields.String(metadata={"format": "date"})
    meetings_booked = fields.Integer()
    meetings_held = fields.Integer(
        metadata={"description": "Meetings of the dialogue that had ended by as_of; cancelled ones never count."}
    )
    organisations_invited = fields.Integer()
    organisations_took_part = fields.Integer(
        metadata={"description": "Organisations with a confirmed place at a meeting of the dialogue that was held."}
    )
    outcome_recorded = fields.Boolean()
    feedback_given = fields.Boolean()


class MeetingsSchema(Schema):
    held_by_forum = fields.Dict(
        keys=fields.String(), values=fields.Integer(), metadata={"description": "Ended by as_of, not cancelled."}
    )
    coming_by_forum = fields.Dict(
        keys=fields.String(), values=fields.Integer(), metadata={"description": "Not ended by as_of, not cancelled."}
    )
    cancelled_by_forum = fields.Dict(keys=fields.String(), values=fields.Integer())
    total_held = fields.Integer()
    total_coming = fields.Integer()
    total_cancelled = fields.Integer()


class RangeSchema(Schema):
    min = fields.Integer()
    max = fields.Integer()


class SteeringGroupSchema(Schema):
    forum_slug = fields.String()
    meetings = fields.Integer(metadata={"description": "Meetings held (ended by as_of)."})
    coming = fields.Integer(metadata={"description": "Meetings of the year still to come."})
    expected = fields.Nested(RangeSchema)
    as_agreed = fields.Boolean(metadata={"description": "RÖS-gruppen met 4–12 times."})


class AssemblySchema(Schema):
    forum_slug = fields.String()
    spring = fields.Integer()
    autumn = fields.Integer()
    met_each_term = fields.Boolean(metadata={"description": "The stormöte met in both the spring and autumn term."})


class OrganisationsSchema(Schema):
    count = fields.Integer()
    ids = fields.List(fields.String())


class FollowUpSchema(Schema):
    year = fields.Integer()
    as_of = fields.String(
        metadata={"format": "date-time", "description": "The moment the report was made: held means ended by then."}
    )
    dialogues = fields.Nested(DialoguesSchema)
    rows = fields.List(fields.Nested(DialogueRowSchema), metadata={"description": "Each dialogue, earliest first."})
    meetings = fields.Nested(MeetingsSchema)
    steering_group = fields.Nested(SteeringGroupSchema)
    assembly = fields.Nested(AssemblySchema)
    organisations = fields.Nested(OrganisationsSchema)
