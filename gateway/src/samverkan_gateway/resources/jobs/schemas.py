"""The HTTP contract for background jobs (imports)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate


class JobErrorSchema(Schema):
    line = fields.Integer(metadata={"description": "Line of the file (the heading is line 1)."})
    field = fields.String(metadata={"description": "The column the problem is in, or row."})
    message = fields.String()


class JobSchema(Schema):
    id = fields.String()
    kind = fields.String(metadata={"example": "organisations_csv"})
    status = fields.String(validate=validate.OneOf(["receiving", "queued", "running", "finished", "failed"]))
    filename = fields.String()
    rows_total = fields.Integer(allow_none=True, metadata={"description": "Known once the file is read."})
    rows_done = fields.Integer()
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    failed = fields.Integer(metadata={"description": "Rows refused; nothing of them was stored."})
    message = fields.String(metadata={"description": "Why a job failed as a whole."})
    created_at = fields.String(metadata={"format": "date-time"})
    started_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    finished_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    errors = fields.List(fields.Nested(JobErrorSchema), metadata={"description": "The first 1,000 problems."})
    errors_total = fields.Integer()
