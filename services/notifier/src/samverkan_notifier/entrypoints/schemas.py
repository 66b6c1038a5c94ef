"""The wire contract of the notifier."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from samverkan_common.participation import Level

from ..domain.model import Channel, Language, NotificationStatus, Rhythm, Scope

TARGETS = {"forum_slug": Scope.FORUM, "organisation_id": Scope.ORGANISATION, "level": Scope.LEVEL}


class SubscribeSchema(Schema):
    """One subscription: exactly one of forum_slug, organisation_id, level; an address or a webhook URL."""

    forum_slug = fields.String(validate=validate.Length(min=1, max=80))
    organisation_id = fields.String(validate=validate.Length(min=1, max=80))
    level = fields.Enum(Level, by_value=True)
    channel = fields.Enum(Channel, by_value=True, load_default=Channel.EMAIL)
    address = fields.Email(validate=validate.Length(max=320))
    url = fields.Url(schemes={"http", "https"}, require_tld=False, validate=validate.Length(max=2000))
    secret = fields.String(validate=validate.Length(min=16, max=200))
    language = fields.Enum(Language, by_value=True, load_default=Language.SV)
    rhythm = fields.Enum(Rhythm, by_value=True, load_default=Rhythm.IMMEDIATELY)

    @validates_schema
    def _one_target_and_a_way_to_reach(self, data: dict[str, Any], **_: Any) -> None:
        given = [name for name in TARGETS if data.get(name) is not None]
        if len(given) != 1:
            raise ValidationError("Give exactly one of forum_slug, organisation_id and level.", "forum_slug")
        if data["channel"] is Channel.EMAIL:
            if not data.get("address"):
                raise ValidationError("An e-mail subscription needs an address.", "address")
            if data.get("url") or data.get("secret"):
                raise ValidationError("Only a webhook has a url and a secret.", "url")
        else:
            if not data.get("url"):
                raise ValidationError("A webhook needs a url.", "url")
            if data.get("address"):
                raise ValidationError("A webhook has a url, not an address.", "address")

    @post_load
    def _as_wish(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        name = next(name for name in TARGETS if data.get(name) is not None)
        target = data[name]
        return {
            "scope": TARGETS[name],
            "target": target.value if isinstance(target, Level) else target,
            "channel": data["channel"],
            "address": data["address"].lower() if data["channel"] is Channel.EMAIL else data["url"],
            "secret": data.get("secret"),
            "language": data["language"],
            "rhythm": data["rhythm"],
        }


class PersonSubscribeSchema(Schema):
    """A person's wish, without a token: an address and exactly one of forum_slugs, organisation_id, level."""

    address = fields.Email(required=True, validate=validate.Length(max=320))
    forum_slugs = fields.List(
        fields.String(validate=validate.Length(min=1, max=80)), validate=validate.Length(min=1, max=20)
    )
    organisation_id = fields.String(validate=validate.Length(min=1, max=80))
    level = fields.Enum(Level, by_value=True)
    language = fields.Enum(Language, by_value=True, load_default=Language.SV)
    rhythm = fields.Enum(Rhythm, by_value=True, load_default=Rhythm.IMMEDIATELY)

    @validates_schema
    def _one_kind_of_target(self, data: dict[str, Any], **_: Any) -> None:
        given = [name for name in ("forum_slugs", "organisation_id", "level") if data.get(name) is not None]
        if len(given) != 1:
            raise ValidationError("Give exactly one of forum_slugs, organisation_id and level.", "forum_slugs")

    @post_load
    def _as_wish(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        if data.get("forum_slugs") is not None:
            targets = [(Scope.FORUM, slug) for slug in dict.fromkeys(data["forum_slugs"])]
        elif data.get("organisation_id") is not None:
            targets = [(Scope.ORGANISATION, data["organisation_id"])]
        else:
            targets = [(Scope.LEVEL, data["level"].value)]
        return {
            "address": data["address"].lower(),
            "targets": targets,
            "language": data["language"],
            "rhythm": data["rhythm"],
        }


class ReplaceSchema(Schema):
    items = fields.List(fields.Nested(SubscribeSchema), required=True, validate=validate.Length(max=500))


class CallerSchema(Schema):
    role = fields.String(load_default="operator")
    token_id = fields.Raw(load_default="system", allow_none=True)
    organisation_id = fields.String(load_default=None, allow_none=True)


def dump_subscription(subscription: Any, secret: str | None = None) -> dict[str, Any]:
    """A subscription as the API shows it; a webhook secret only the one time it was made."""
    shown: dict[str, Any] = {
        "id": subscription.id,
        "scope": subscription.scope.value,
        "channel": subscription.channel.value,
        "language": subscription.language.value,
        "rhythm": subscription.rhythm.value,
        "owner": subscription.owner,
        "created_at": subscription.created_at.isoformat(),
        # A person's subscription gets nothing until they follow the mailed link.
        "confirmed": subscription.confirmed,
    }
    shown[
        {Scope.FORUM: "forum_slug", Scope.ORGANISATION: "organisation_id", Scope.LEVEL: "level"}[subscription.scope]
    ] = subscription.target
    if subscription.channel is Channel.EMAIL:
        shown["address"] = subscription.address
    else:
        shown["url"] = subscription.address
        shown["secret_set"] = bool(subscription.secret)
        if secret:
            shown["secret"] = secret
    return shown


class PageSchema(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class NotificationQuerySchema(PageSchema):
    event_id = fields.String(load_default=None, allow_none=True)
    status = fields.Enum(NotificationStatus, by_value=True, load_default=None, allow_none=True)


class SubscriptionQuerySchema(PageSchema):
    organisation_id = fields.String(load_default=None, allow_none=True)


class NotificationSchema(Schema):
    id = fields.String()
    event_id = fields.String()
    event_type = fields.String()
    subscription_id = fields.String(allow_none=True)
    channel = fields.Enum(Channel, by_value=True)
    address = fields.String()
    language = fields.Enum(Language, by_value=True)
    subject = fields.String()
    status = fields.Enum(NotificationStatus, by_value=True)
    attempts = fields.Integer()
    last_error = fields.String(allow_none=True)
    next_attempt_at = fields.DateTime(allow_none=True)
    queued_at = fields.DateTime(allow_none=True)
    sent_at = fields.DateTime(allow_none=True)
    digest_key = fields.String(allow_none=True)
    digest_id = fields.String(allow_none=True)
    created_at = fields.DateTime()
