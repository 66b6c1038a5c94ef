"""The organisation registry: organisations, signatories, forum memberships and contact persons."""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from functools import wraps
from typing import Any, TypeVar

from flask import Response, current_app, g, request, stream_with_context
from flask_smorest import Blueprint

from ...auth import Role, authenticate, requires
from ...services import call
from ..events.feedcache import ORGANISATION_EVENTS, FeedWatcher, ReadCopies, organisation_ids
from ..jobs.schemas import JobSchema
from ..schemas import wire
from .schemas import (
    ContactPersonInSchema,
    ContactPersonSchema,
    DissolveSchema,
    EndMembershipSchema,
    ErasedSchema,
    MembershipInSchema,
    MembershipSchema,
    OrganisationInSchema,
    OrganisationPageSchema,
    OrganisationPatchSchema,
    OrganisationSchema,
    PersonExportSchema,
    PersonQuerySchema,
    SearchQuerySchema,
    SignatureSchema,
    SignInSchema,
    WithdrawInSchema,
)

blp = Blueprint(
    "organisations",
    __name__,
    url_prefix="/api/v1/organisations",
    description="Civil-society organisations in Västra Götaland.",
)
persons = Blueprint(
    "persons",
    __name__,
    url_prefix="/api/v1/persons",
    description="Requests about a contact person's data (GDPR art. 15 and 17). Operators only.",
)

# A profile is a few kB; this leaves room to name the field of a body far too big (a pasted file
# as description gets 422 "description: at most 5000 characters"), while anything larger still
# gets 413 before it is read. Other routes keep the gateway-wide MAX_CONTENT_LENGTH.
PROFILE_BODY_LIMIT = 16 * 1024 * 1024

# 50,000 rows of a register with descriptions; larger files are split by the operator.
IMPORT_BODY_LIMIT = 64 * 1024 * 1024
# Each part of an imported file travels as one RPC message; a few hundred kB keeps messages small.
IMPORT_CHUNK = 512 * 1024

View = TypeVar("View", bound=Callable[..., Any])


def accepts_up_to(limit: int) -> Callable[[View], View]:
    """Let this route read a body of up to ``limit`` bytes."""

    def decorate(view: View) -> View:
        @wraps(view)
        def limited(*args: Any, **kwargs: Any) -> Any:
            request.max_content_length = limit
            return view(*args, **kwargs)

        # Read by code that takes the body before the view (idempotency.py fingerprints it).
        limited.__dict__["body_limit"] = limit
        return limited  # type: ignore[return-value]

    return decorate


def actor() -> dict[str, Any] | None:
    """Who calls, for the registry's own rules (an organisation edits only itself)."""
    principal = g.get("principal") or authenticate()
    if principal is None:
        return None
    return {"role": principal.role.value, "organisation_id": principal.organisation_id}


@blp.route("", methods=["POST"])
@requires(Role.PLANNER, Role.OPERATOR)
@accepts_up_to(PROFILE_BODY_LIMIT)
@blp.arguments(OrganisationInSchema)
@blp.response(201, OrganisationSchema)
def register_organisation(organisation: dict[str, Any]) -> Any:
    """Register an organisation"""
    return call("registry", "register_organisation", wire(OrganisationInSchema(), organisation))


@blp.route("", methods=["GET"])
@blp.arguments(SearchQuerySchema, location="query")
@blp.response(200, OrganisationPageSchema)
def search_organisations(query: dict[str, Any]) -> Any:
    """Find organisations: words (best match first) and filters, a page at a time"""
    return call("registry", "search_organisations", wire(SearchQuerySchema(), query))


@blp.route("/import", methods=["POST"])
@requires(Role.OPERATOR)
@accepts_up_to(IMPORT_BODY_LIMIT)
@blp.doc(
    requestBody={
        "required": True,
        "description": "The CSV file: UTF-8 or Windows-1252 (as Swedish Excel saves it), ; or , between fields. "
        "Send it as the body (text/csv) or as the form field `file` (multipart/form-data).",
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "multipart/form-data": {
                "schema": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}
            },
        },
    }
)
@blp.response(202, JobSchema)
def import_organisations() -> Any:
    """Import organisations from CSV as a job (operators); follow it at /api/v1/jobs/<id>"""
    upload = request.files.get("file")
    content = upload.read() if upload is not None else request.get_data()
    filename = (upload.filename if upload is not None else request.headers.get("X-Filename")) or "upload.csv"
    parts = [content[start : start + IMPORT_CHUNK] for start in range(0, len(content), IMPORT_CHUNK)] or [b""]
    # The file is larger than one message should be, so it goes in parts: one RPC per part.
    job = call("registry", "create_import_job", {"filename": filename, "chunks": len(parts)}, actor())
    for position, part in enumerate(parts):
        job = call("registry", "add_import_chunk", job["id"], position, base64.b64encode(part).decode(), actor())
    return job, 202, {"Location": f"/api/v1/jobs/{job['id']}"}


@blp.route("/export.csv", methods=["GET"])
@blp.response(200, content_type="text/csv", description="The public fields of every organisation, ; separated.")
def export_organisations() -> Any:
    """Every organisation's public fields as CSV (UTF-8 with BOM, ; separated, as Swedish Excel opens)"""

    def parts() -> Iterator[str]:
        # One RPC per thousand rows, streamed as they come, so no process holds the whole register.
        yield "\ufeff"
        after = None
        while True:
            part = call("registry", "export_csv", after)
            yield part["csv"]
            after = part["next"]
            if after is None:
                return

    response = Response(stream_with_context(parts()), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = 'attachment; filename="organisationer.csv"'
    return response


@blp.route("/<organisation_id>", methods=["GET"])
@blp.response(200, OrganisationSchema)
def get_organisation(organisation_id: str) -> Any:
    """One organisation"""
    watcher, copies = organisation_reads()
    copy = copies.get(organisation_id)
    if copy is not None and watcher.fresh(
        copy[1], copy[2], float(current_app.config.get("FEED_CACHE_TRUST_SECONDS", 60))
    ):
        return copy[0]
    generation, evictions = watcher.generation, copies.evictions
    found = call("registry", "get_organisation", organisation_id)
    copies.put(organisation_id, found, generation, evictions)
    return found


# Public organisation pages are read far more often than organisations change: the gateway keeps a
# copy, trusted only while it hears the registry's events (as the feeds are; see events/feedcache.py).
MAX_ORGANISATION_COPIES = 10_000


def organisation_reads() -> tuple[FeedWatcher, ReadCopies]:
    """The copies, and the watcher that drops one organisation's copy when an event names it."""
    copies: ReadCopies = current_app.extensions.setdefault(
        "samverkan_organisation_copies", ReadCopies(MAX_ORGANISATION_COPIES)
    )
    watcher: FeedWatcher = current_app.extensions.setdefault(
        "samverkan_organisation_watcher",
        FeedWatcher(
            current_app.config["AMQP_URI"],
            ORGANISATION_EVENTS,
            "organisation-watcher",
            on_event=lambda event: copies.evict_all(organisation_ids(event)),
        ),
    )
    watcher.start()
    return watcher, copies


@blp.after_request
def _writes_are_read_back_at_once(response: Response) -> Response:
    """Whoever changed an organisation through this gateway reads the change on the next request."""
    if (
        request.method != "GET"
        and response.status_code < 400
        and "samverkan_organisation_watcher" in current_app.extensions
    ):
        current_app.extensions["samverkan_organisation_watcher"].changed()
    return response


@blp.route("/<organisation_id>", methods=["PATCH"])
@requires(Role.ORGANISATION, Role.PLANNER, Role.OPERATOR)
@accepts_up_to(PROFILE_BODY_LIMIT)
@blp.arguments(OrganisationPatchSchema(partial=tuple(OrganisationInSchema().fields)))
@blp.response(200, OrganisationSchema)
def update_organisation(changes: dict[str, Any], organisation_id: str) -> Any:
    """Change an organisation (its own representative, a planner or an operator); 409 if someone changed it first"""
    payload = wire(OrganisationPatchSchema(partial=True), changes)
    return call("registry", "update_organisation", organisation_id, payload, actor())


@blp.route("/<organisation_id>/dissolve", methods=["POST"])
@requires(Role.ORGANISATION, Role.PLANNER, Role.OPERATOR)
@blp.arguments(DissolveSchema)
@blp.response(200, OrganisationSchema)
def dissolve_organisation(command: dict[str, Any], organisation_id: str) -> Any:
    """Mark an organisation dissolved; it stays in the register with its history"""
    return call("registry", "dissolve_organisation", organisation_id, command, actor())


@blp.route("/<organisation_id>/signatures", methods=["GET"])
@blp.response(200, SignatureSchema(many=True))
def signatures(organisation_id: str) -> Any:
    """When the organisation signed Överenskommelsen, and withdrew"""
    return call("registry", "signatures", organisation_id)


@blp.route("/<organisation_id>/signatures", methods=["POST"])
@requires(Role.ORGANISATION, Role.PLANNER, Role.OPERATOR)
@blp.arguments(SignInSchema)
@blp.response(201, SignatureSchema)
def sign(command: dict[str, Any], organisation_id: str) -> Any:
    """Record that the organisation signed Överenskommelsen"""
    return call("registry", "sign", organisation_id, wire(SignInSchema(), command), actor())


@blp.route("/<organisation_id>/signatures/withdraw", methods=["POST"])
@requires(Role.ORGANISATION, Role.PLANNER, Role.OPERATOR)
@blp.arguments(WithdrawInSchema)
@blp.response(200, SignatureSchema)
def withdraw(command: dict[str, Any], organisation_id: str) -> Any:
    """Record that the organisation withdrew from Överenskommelsen"""
    return call("registry", "withdraw", organisation_id, wire(WithdrawInSchema(), command), actor())


@blp.route("/<organisation_id>/memberships", methods=["GET"])
@blp.response(200, MembershipSchema(many=True))
def memberships(organisation_id: str) -> Any:
    """The forums the organisation sits in, and sat in"""
    return call("registry", "memberships", organisation_id)


@blp.route("/<organisation_id>/memberships", methods=["POST"])
@requires(Role.PLANNER, Role.OPERATOR)
@blp.arguments(MembershipInSchema)
@blp.response(201, MembershipSchema)
def add_membership(membership: dict[str, Any], organisation_id: str) -> Any:
    """Give the organisation a seat in a forum"""
    return call("registry", "add_membership", organisation_id, wire(MembershipInSchema(), membership), actor())


@blp.route("/memberships/<membership_id>/end", methods=["POST"])
@requires(Role.PLANNER, Role.OPERATOR)
@blp.arguments(EndMembershipSchema)
@blp.response(200, MembershipSchema)
def end_membership(command: dict[str, Any], membership_id: str) -> Any:
    """End a seat in a forum on a day"""
    return call("registry", "end_membership", membership_id, wire(EndMembershipSchema(), command), actor())


@blp.route("/<organisation_id>/contacts", methods=["GET"])
@requires(Role.ORGANISATION, Role.PLANNER, Role.OPERATOR)
@blp.response(200, ContactPersonSchema(many=True))
def contact_persons(organisation_id: str) -> Any:
    """The organisation's contact persons (the organisation itself, planners and operators only)"""
    return call("registry", "contact_persons", organisation_id, actor())


@blp.route("/<organisation_id>/contacts", methods=["POST"])
@requires(Role.ORGANISATION, Role.PLANNER, Role.OPERATOR)
@blp.arguments(ContactPersonInSchema)
@blp.response(201, ContactPersonSchema)
def add_contact_person(person: dict[str, Any], organisation_id: str) -> Any:
    """Add a contact person, with the legal basis for keeping their details"""
    return call("registry", "add_contact_person", organisation_id, wire(ContactPersonInSchema(), person), actor())


@persons.route("/export", methods=["GET"])
@requires(Role.OPERATOR)
@persons.arguments(PersonQuerySchema, location="query")
@persons.response(200, PersonExportSchema)
def export_person(query: dict[str, Any]) -> Any:
    """Everything the register holds about a person (GDPR art. 15)"""
    return call("registry", "export_person", query, actor())


@persons.route("/erase", methods=["POST"])
@requires(Role.OPERATOR)
@persons.arguments(PersonQuerySchema)
@persons.response(200, ErasedSchema)
def erase_person(query: dict[str, Any]) -> Any:
    """Erase a person from the register (GDPR art. 17); the organisations keep their history"""
    return call("registry", "erase_person", query, actor())
