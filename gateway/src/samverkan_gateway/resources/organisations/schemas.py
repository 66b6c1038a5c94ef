"""The HTTP contract for organisations."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..schemas import PageQuerySchema, page_of

KINDS = ("ideell_forening", "stiftelse", "trossamfund", "natverk", "other")


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
        metadata={"example": "1490"},
    )
    description = fields.String(validate=validate.Length(max=5000))
    website = fields.Url(allow_none=True, schemes={"http", "https"}, validate=validate.Length(max=500))
    contact_email = fields.Email(allow_none=True, validate=validate.Length(max=320))


class OrganisationSchema(OrganisationInSchema):
    id = fields.String(dump_only=True)
    status = fields.String(dump_only=True)
    version = fields.Integer(dump_only=True)


OrganisationPageSchema = page_of(OrganisationSchema)

__all__ = ["OrganisationInSchema", "OrganisationPageSchema", "OrganisationSchema", "PageQuerySchema"]
