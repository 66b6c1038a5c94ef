"""The wire contract of the registry: what its RPCs accept and return."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, pre_load, validate

from ..domain.model import DEFAULT_PER_PAGE, MAX_PER_PAGE, OrganisationKind, OrganisationStatus

_OPTIONAL_TEXT = ("organisation_number", "description", "website", "contact_email")


class RegisterOrganisationSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    kind = fields.Enum(OrganisationKind, by_value=True, required=True)
    # The shape of these two is checked by the domain, which names the exact rule broken.
    municipality_code = fields.String(required=True, validate=validate.Length(max=10))
    organisation_number = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=20))
    description = fields.String(load_default="", validate=validate.Length(max=5000))
    website = fields.Url(load_default="", schemes={"https", "http"}, validate=validate.Length(max=500))
    contact_email = fields.Email(load_default="", validate=validate.Length(max=254))

    @pre_load
    def blank_means_not_given(self, data: Any, **_: Any) -> Any:
        """A form sends "" for a field left empty; for an optional field that means "none"."""
        if not isinstance(data, dict):
            return data
        return {
            key: value
            for key, value in data.items()
            if not (key in _OPTIONAL_TEXT and (value is None or (isinstance(value, str) and not value.strip())))
        }


class ListOrganisationsSchema(Schema):
    page = fields.Integer(strict=True, load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(
        strict=True, load_default=DEFAULT_PER_PAGE, validate=validate.Range(min=1, max=MAX_PER_PAGE)
    )


class OrganisationSchema(Schema):
    id = fields.String()
    name = fields.String()
    kind = fields.Enum(OrganisationKind, by_value=True)
    organisation_number = fields.String(allow_none=True)
    municipality_code = fields.String()
    description = fields.String()
    website = fields.String()
    contact_email = fields.String()
    status = fields.Enum(OrganisationStatus, by_value=True)
    version = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
