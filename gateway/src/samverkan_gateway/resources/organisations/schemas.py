"""The HTTP contract for organisations, signatories, forum memberships and contact persons."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ..schemas import PageQuerySchema, page_of

KINDS = ("ideell_forening", "stiftelse", "trossamfund", "natverk", "other")
AREAS = ("health_care", "regional_development", "culture", "public_transport")
SUB_REGIONS = ("fyrbodal", "goteborgsregionen", "sjuharad", "skaraborg")
STATUSES = ("active", "dissolved")
FORUM_ROLES = ("member", "chair", "vice_chair", "substitute", "observer")
LEGAL_BASES = ("consent", "contract", "legitimate_interest", "public_task")


def _day(**kwargs: Any) -> fields.String:
    """A day the service already wrote as YYYY-MM-DD."""
    return fields.String(metadata={"format": "date", "example": "2026-01-15"}, **kwargs)


def _moment(**kwargs: Any) -> fields.String:
    """A time the service already wrote in ISO 8601 with its offset."""
    return fields.String(metadata={"format": "date-time"}, **kwargs)


SLUG = validate.Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", error="Use lower-case letters, digits and hyphens.")


class OrganisationInSchema(Schema):
    name = fields.String(
        required=True,
        validate=validate.Length(min=1, max=200),
        metadata={"example": "Exempelföreningen i Borås"},
    )
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    organisation_number = fields.String(
        allow_none=True,
        validate=validate.Length(max=11),
        metadata={"description": "Organisationsnummer, NNNNNN-NNNN; optional.", "example": "802002-4280"},
    )
    municipality_code = fields.String(
        required=True,
        validate=validate.Regexp(r"^\d{4}$", error="A four-digit SCB code."),
        metadata={"example": "1490", "description": "SCB code; see /api/v1/municipalities."},
    )
    description = fields.String(validate=validate.Length(max=5000))
    website = fields.Url(allow_none=True, schemes={"http", "https"}, validate=validate.Length(max=500))
    contact_email = fields.Email(allow_none=True, validate=validate.Length(max=320))
    other_names = fields.List(
        fields.String(validate=validate.Length(min=1, max=200)),
        validate=validate.Length(max=20),
        metadata={"description": "Other names the organisation is known by (short names, former names)."},
    )
    areas = fields.List(
        fields.String(validate=validate.OneOf(AREAS)),
        metadata={"description": "The region's fixed areas of interest."},
    )
    tags = fields.List(
        fields.String(validate=validate.Length(min=1, max=50)),
        validate=validate.Length(max=30),
        metadata={"description": "Free tags of its own choosing.", "example": ["körsång", "unga"]},
    )
    founded_year = fields.Integer(allow_none=True, strict=True, validate=validate.Range(min=1000, max=9999))


class OrganisationSchema(OrganisationInSchema):
    id = fields.String(dump_only=True)
    # The register answers "" for an organisation without them, which is no URL or address.
    website = fields.String(allow_none=True, metadata={"description": "A URL, or empty when none."})  # type: ignore[assignment]
    contact_email = fields.String(allow_none=True, metadata={"description": "An e-mail address, or empty when none."})  # type: ignore[assignment]
    status = fields.String(dump_only=True, metadata={"description": "active or dissolved"})
    version = fields.Integer(dump_only=True, metadata={"description": "Send it back with a change (409 if stale)."})
    created_at = _moment(dump_only=True)
    updated_at = _moment(dump_only=True)


class OrganisationPatchSchema(OrganisationInSchema):
    """The fields to change, and the version they were read at; a stale version gets 409."""

    version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))


class DissolveSchema(Schema):
    version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))


class SearchQuerySchema(PageQuerySchema):
    q = fields.String(
        validate=validate.Length(max=200),
        metadata={"description": "Words to find (prefixes; every word must match), best match first."},
    )
    municipality = fields.String(validate=validate.Regexp(r"^\d{4}$", error="A four-digit SCB code."))
    subregion = fields.String(validate=validate.OneOf(SUB_REGIONS))
    kind = fields.String(validate=validate.OneOf(KINDS))
    area = fields.String(validate=validate.OneOf(AREAS))
    forum = fields.String(
        validate=[validate.Length(max=100), SLUG], metadata={"description": "Sits in this forum today."}
    )
    signatory = fields.Boolean(metadata={"description": "true: signatories of Överenskommelsen; false: not."})
    signatory_on = fields.Date(metadata={"description": "Signatories on this day (YYYY-MM-DD)."})
    status = fields.String(validate=validate.OneOf(STATUSES))


OrganisationPageSchema = page_of(OrganisationSchema)


class MunicipalitySchema(Schema):
    code = fields.String(metadata={"example": "1480"})
    name = fields.String(metadata={"example": "Göteborg"})
    sub_region = fields.String(validate=validate.OneOf(SUB_REGIONS))


class SignInSchema(Schema):
    signed_on = fields.Date(required=True)


class WithdrawInSchema(Schema):
    withdrawn_on = fields.Date(required=True, metadata={"description": "The first day it is no longer a signatory."})


class SignatureSchema(Schema):
    id = fields.String()
    organisation_id = fields.String()
    signed_on = _day()
    withdrawn_on = _day(allow_none=True)


class MembershipInSchema(Schema):
    forum_slug = fields.String(required=True, validate=[validate.Length(min=1, max=100), SLUG])
    role = fields.String(validate=validate.OneOf(FORUM_ROLES), metadata={"description": "member unless given"})
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(allow_none=True, metadata={"description": "The last day; none while it lasts."})


class EndMembershipSchema(Schema):
    ends_on = fields.Date(required=True)


class MembershipSchema(Schema):
    id = fields.String()
    organisation_id = fields.String()
    forum_slug = fields.String()
    role = fields.String(validate=validate.OneOf(FORUM_ROLES))
    starts_on = _day()
    ends_on = _day(allow_none=True)


class ContactPersonInSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    email = fields.Email(validate=validate.Length(max=254))
    phone = fields.String(validate=validate.Length(max=40))
    role = fields.String(validate=validate.Length(max=100), metadata={"example": "ordförande"})
    legal_basis = fields.String(
        required=True,
        validate=validate.OneOf(LEGAL_BASES),
        metadata={"description": "GDPR art. 6(1): why the region may keep these details."},
    )
    consent_given_on = fields.Date(allow_none=True, metadata={"description": "Required with legal_basis consent."})


class ContactPersonSchema(Schema):
    id = fields.String()
    organisation_id = fields.String()
    name = fields.String()
    email = fields.String()
    phone = fields.String()
    role = fields.String()
    legal_basis = fields.String(validate=validate.OneOf(LEGAL_BASES))
    consent_given_on = _day(allow_none=True)
    created_at = _moment()
    updated_at = _moment()


class PersonQuerySchema(Schema):
    """Which person: by e-mail address (every record with it) or by a record's id."""

    email = fields.Email()
    person_id = fields.String(validate=validate.Length(max=36))

    @validates_schema
    def one_is_given(self, data: dict[str, Any], **_: Any) -> None:
        if not data.get("email") and not data.get("person_id"):
            raise ValidationError("Give email or person_id.", "email")


class PersonRecordSchema(Schema):
    person = fields.Nested(ContactPersonSchema)
    organisation = fields.Dict(keys=fields.String(), metadata={"description": "id and name"})


class PersonExportSchema(Schema):
    records = fields.List(fields.Nested(PersonRecordSchema))


class ErasedSchema(Schema):
    erased = fields.Integer(metadata={"description": "How many records of the person were erased."})


__all__ = ["OrganisationInSchema", "OrganisationPageSchema", "OrganisationSchema", "PageQuerySchema"]
