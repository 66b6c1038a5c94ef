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


class MeetingsSchema(Schema):
    held_by_forum = fields.Dict(keys=fields.String(), values=fields.Integer())
    cancelled_by_forum = fields.Dict(keys=fields.String(), values=fields.Integer())
    total_held = fields.Integer()


class RangeSchema(Schema):
    min = fields.Integer()
    max = fields.Integer()


class SteeringGroupSchema(Schema):
    forum_slug = fields.String()
    meetings = fields.Integer()
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
    dialogues = fields.Nested(DialoguesSchema)
    meetings = fields.Nested(MeetingsSchema)
    steering_group = fields.Nested(SteeringGroupSchema)
    assembly = fields.Nested(AssemblySchema)
    organisations = fields.Nested(OrganisationsSchema)
