"""The HTTP contract of subscriptions, unsubscribing and the notification log."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from samverkan_common.participation import Level

from ..schemas import PageQuerySchema, page_of

LEVELS = [level.value for level in Level]
STATUSES = ["queued", "sent", "failed", "retried", "parked", "bundled", "withdrawn"]


class SubscriptionInSchema(Schema):
    """Follow exactly one of: a forum, the forums an organisation sits in, or every meeting of a level."""

    forum_slug = fields.String(validate=validate.Length(min=1, max=80), metadata={"description": "follow this forum"})
    organisation_id = fields.String(
        validate=validate.Length(min=1, max=80),
        metadata={"description": "follow the meetings of every forum this organisation sits in"},
    )
    level = fields.String(validate=validate.OneOf(LEVELS), metadata={"description": "follow every meeting of a level"})
    channel = fields.String(validate=validate.OneOf(("email", "webhook")), metadata={"description": "default email"})
    address = fields.Email(validate=validate.Length(max=320), metadata={"description": "for e-mail"})
    url = fields.Url(
        schemes={"http", "https"},
        require_tld=False,
        validate=validate.Length(max=2000),
        metadata={"description": "for a webhook: where the signed JSON POSTs go"},
    )
    secret = fields.String(
        load_only=True,
        validate=validate.Length(min=16, max=200),
        metadata={"description": "for a webhook: the HMAC key; made for you when left out"},
    )
    language = fields.String(validate=validate.OneOf(("sv", "en")), metadata={"description": "default sv"})
    rhythm = fields.String(
        validate=validate.OneOf(("immediately", "daily", "weekly")),
        metadata={"description": "at once, or a daily or weekly digest; default immediately"},
    )


class SubscriptionSchema(SubscriptionInSchema):
    id = fields.String(dump_only=True)
    scope = fields.String(dump_only=True, metadata={"description": "forum, organisation or level"})
    owner = fields.String(
        dump_only=True, metadata={"description": "organisation:<id>, token:<id>, or person (asked without a token)"}
    )
    confirmed = fields.Boolean(
        dump_only=True, metadata={"description": "false while a person's subscription waits for its mailed link"}
    )
    secret = fields.String(dump_only=True, metadata={"description": "a webhook's secret, shown only when made"})
    secret_set = fields.Boolean(dump_only=True)
    created_at = fields.String(dump_only=True)


class PersonSubscriptionSchema(Schema):
    """A person asks for e-mail about exactly one of: some forums, an organisation's forums, or a level."""

    address = fields.Email(required=True, validate=validate.Length(max=320), metadata={"description": "where to"})
    forum_slugs = fields.List(
        fields.String(validate=validate.Length(min=1, max=80)),
        validate=validate.Length(min=1, max=20),
        metadata={"description": "follow these forums"},
    )
    organisation_id = fields.String(
        validate=validate.Length(min=1, max=80),
        metadata={"description": "follow the meetings of every forum this organisation sits in"},
    )
    level = fields.String(validate=validate.OneOf(LEVELS), metadata={"description": "follow every meeting of a level"})
    language = fields.String(validate=validate.OneOf(("sv", "en")), metadata={"description": "default sv"})
    rhythm = fields.String(
        validate=validate.OneOf(("immediately", "daily", "weekly")),
        metadata={"description": "at once, or a daily or weekly digest; default immediately"},
    )

    @validates_schema
    def _one_kind_of_target(self, data: dict[str, Any], **_: Any) -> None:
        if len([name for name in ("forum_slugs", "organisation_id", "level") if data.get(name) is not None]) != 1:
            raise ValidationError("Give exactly one of forum_slugs, organisation_id and level.", "forum_slugs")


class AcceptedSchema(Schema):
    message = fields.String(metadata={"description": "the same words whatever the address"})


class SubscriptionSetSchema(Schema):
    items = fields.List(fields.Nested(SubscriptionInSchema), required=True, validate=validate.Length(max=500))


class OwnerQuerySchema(Schema):
    organisation_id = fields.String(
        validate=validate.Length(max=80),
        metadata={"description": "an operator's choice of organisation; others may name only their own"},
    )


class SubscriptionQuerySchema(PageQuerySchema, OwnerQuerySchema):
    pass


SubscriptionPageSchema = page_of(SubscriptionSchema)


class NotificationQuerySchema(PageQuerySchema):
    event_id = fields.String(validate=validate.Length(max=36))
    status = fields.String(validate=validate.OneOf(STATUSES))


# "from" is a Python keyword, so this schema is built from a dict.
TransitionSchema = Schema.from_dict(
    {
        "from": fields.String(),
        "to": fields.String(),
        "reason": fields.String(allow_none=True),
        "at": fields.String(),
    },
    name="TransitionSchema",
)


class NotificationSchema(Schema):
    id = fields.String()
    event_id = fields.String()
    event_type = fields.String()
    subscription_id = fields.String(allow_none=True)
    channel = fields.String()
    address = fields.String()
    language = fields.String()
    subject = fields.String()
    status = fields.String(metadata={"description": "|".join(STATUSES)})
    attempts = fields.Integer()
    last_error = fields.String(allow_none=True)
    next_attempt_at = fields.String(allow_none=True)
    queued_at = fields.String(allow_none=True, metadata={"description": "where the retry window starts"})
    sent_at = fields.String(allow_none=True)
    digest_key = fields.String(allow_none=True)
    digest_id = fields.String(allow_none=True)
    created_at = fields.String()
    transitions = fields.List(fields.Nested(TransitionSchema))


NotificationPageSchema = page_of(NotificationSchema)
