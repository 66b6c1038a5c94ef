"""The wire contract of the notifier."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..domain.model import Channel, Language, NotificationStatus


class SubscribeSchema(Schema):
    forum_slug = fields.String(required=True, validate=validate.Length(min=1, max=80))
    address = fields.Email(required=True, validate=validate.Length(max=320))
    channel = fields.Enum(Channel, by_value=True, load_default=Channel.EMAIL)
    language = fields.Enum(Language, by_value=True, load_default=Language.SV)


class SubscriptionSchema(Schema):
    id = fields.String()
    forum_slug = fields.String()
    address = fields.String()
    channel = fields.Enum(Channel, by_value=True)
    language = fields.Enum(Language, by_value=True)


class PageSchema(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    event_id = fields.String(load_default=None, allow_none=True)


class NotificationSchema(Schema):
    id = fields.String()
    event_id = fields.String()
    event_type = fields.String()
    subscription_id = fields.String()
    channel = fields.Enum(Channel, by_value=True)
    address = fields.String()
    language = fields.Enum(Language, by_value=True)
    subject = fields.String()
    status = fields.Enum(NotificationStatus, by_value=True)
    created_at = fields.DateTime()
