"""The HTTP contract of subscriptions and the notification log."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..schemas import PageQuerySchema, page_of


class SubscriptionInSchema(Schema):
    forum_slug = fields.String(required=True, validate=validate.Length(min=1, max=80))
    address = fields.Email(required=True, validate=validate.Length(max=320))
    channel = fields.String(validate=validate.OneOf(("email", "webhook")))
    language = fields.String(validate=validate.OneOf(("sv", "en")))


class SubscriptionSchema(SubscriptionInSchema):
    id = fields.String(dump_only=True)


class NotificationQuerySchema(PageQuerySchema):
    event_id = fields.String(validate=validate.Length(max=36))


class NotificationSchema(Schema):
    id = fields.String()
    event_id = fields.String()
    event_type = fields.String()
    subscription_id = fields.String()
    channel = fields.String()
    address = fields.String()
    language = fields.String()
    subject = fields.String()
    status = fields.String()
    created_at = fields.String()


NotificationPageSchema = page_of(NotificationSchema)
