"""The wire contract of the registry: what its RPCs accept and return."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, post_load, pre_load, validate

from ..domain.model import (
    DEFAULT_PER_PAGE,
    MAX_PER_PAGE,
    Actor,
    Area,
    ForumRole,
    LegalBasis,
    OrganisationKind,
    OrganisationStatus,
    Role,
)
from ..domain.municipalities import SubRegion
from ..domain.search import SearchQuery

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
    other_names = fields.List(
        fields.String(validate=validate.Length(min=1, max=200)), load_default=list, validate=validate.Length(max=20)
    )
    areas = fields.List(fields.Enum(Area, by_value=True), load_default=list)
    tags = fields.List(
        fields.String(validate=validate.Length(min=1, max=50)), load_default=list, validate=validate.Length(max=30)
    )
    founded_year = fields.Integer(strict=True, load_default=None, allow_none=True)

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


class UpdateOrganisationSchema(RegisterOrganisationSchema):
    """The fields to change, and the version they were read at."""

    version = fields.Integer(strict=True, required=True, validate=validate.Range(min=1))

    def load(self, data: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        # Only what is given changes: no field but the version is required, and none gets a default.
        loaded = super().load(data, partial=tuple(set(self.fields) - {"version"}), **kwargs)
        given = set(data) if isinstance(data, dict) else set()
        # A blank optional field is a request to clear it.
        return {key: value for key, value in loaded.items() if key in given or key == "version"} | {
            key: None if key == "organisation_number" else ""
            for key in _OPTIONAL_TEXT
            if key in given and key not in loaded
        }


class ActorSchema(Schema):
    role = fields.Enum(Role, by_value=True, load_default=None, allow_none=True)
    organisation_id = fields.String(load_default=None, allow_none=True)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Actor:
        return Actor(**data)


class SearchSchema(Schema):
    q = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    municipality = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(r"^\d{4}$"))
    subregion = fields.Enum(SubRegion, by_value=True, load_default=None, allow_none=True)
    kind = fields.Enum(OrganisationKind, by_value=True, load_default=None, allow_none=True)
    area = fields.Enum(Area, by_value=True, load_default=None, allow_none=True)
    forum = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))
    signatory = fields.Boolean(load_default=None, allow_none=True)
    signatory_on = fields.Date(load_default=None, allow_none=True)
    status = fields.Enum(OrganisationStatus, by_value=True, load_default=None, allow_none=True)
    page = fields.Integer(strict=True, load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(
        strict=True, load_default=DEFAULT_PER_PAGE, validate=validate.Range(min=1, max=MAX_PER_PAGE)
    )

    @pre_load
    def drop_empty(self, data: Any, **_: Any) -> Any:
        """A form leaves unused filters empty; empty means no filter."""
        if not isinstance(data, dict):
            return data
        return {key: value for key, value in data.items() if value not in (None, "")}

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> SearchQuery:
        if isinstance(data.get("subregion"), SubRegion):
            data["subregion"] = data["subregion"].value
        return SearchQuery(**data)


class SignSchema(Schema):
    signed_on = fields.Date(required=True)


class WithdrawSchema(Schema):
    withdrawn_on = fields.Date(required=True)


class DissolveSchema(Schema):
    version = fields.Integer(strict=True, required=True, validate=validate.Range(min=1))


class SignatureSchema(Schema):
    id = fields.String()
    organisation_id = fields.String()
    signed_on = fields.Date()
    withdrawn_on = fields.Date(allow_none=True)


class MembershipInSchema(Schema):
    forum_slug = fields.String(required=True, validate=validate.Length(min=1, max=100))
    role = fields.Enum(ForumRole, by_value=True, load_default=ForumRole.MEMBER)
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(load_default=None, allow_none=True)


class EndMembershipSchema(Schema):
    ends_on = fields.Date(required=True)


class MembershipSchema(Schema):
    id = fields.String()
    organisation_id = fields.String()
    forum_slug = fields.String()
    role = fields.Enum(ForumRole, by_value=True)
    starts_on = fields.Date()
    ends_on = fields.Date(allow_none=True)


class ContactPersonInSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    email = fields.Email(load_default="", validate=validate.Length(max=254))
    phone = fields.String(load_default="", validate=validate.Length(max=40))
    role = fields.String(load_default="", validate=validate.Length(max=100))
    legal_basis = fields.Enum(LegalBasis, by_value=True, required=True)
    consent_given_on = fields.Date(load_default=None, allow_none=True)


class ContactPersonSchema(Schema):
    id = fields.String()
    organisation_id = fields.String()
    name = fields.String()
    email = fields.String()
    phone = fields.String()
    role = fields.String()
    legal_basis = fields.Enum(LegalBasis, by_value=True)
    consent_given_on = fields.Date(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class PersonQuerySchema(Schema):
    person_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=36))
    email = fields.Email(load_default=None, allow_none=True)


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
    other_names = fields.List(fields.String())
    areas = fields.List(fields.Enum(Area, by_value=True))
    tags = fields.List(fields.String())
    founded_year = fields.Integer(allow_none=True)
    status = fields.Enum(OrganisationStatus, by_value=True)
    version = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
