"""The registry service: thin RPC entrypoints over the use cases."""

from __future__ import annotations

import base64
import binascii
import csv
import io
from typing import Any

from samverkan_common.errors import Invalid
from samverkan_common.metrics import Observability
from samverkan_common.providers import UnitOfWorkProvider
from samverkan_common.service import health_report, load, rpc

from ..adapters.repository import RegistryUnitOfWork
from ..domain.model import DEFAULT_PER_PAGE, Actor
from ..service_layer import handlers, imports
from .schemas import (
    ActorSchema,
    ContactPersonInSchema,
    ContactPersonSchema,
    DissolveSchema,
    EndMembershipSchema,
    ListOrganisationsSchema,
    MembershipInSchema,
    MembershipSchema,
    OrganisationSchema,
    PersonQuerySchema,
    RegisterOrganisationSchema,
    SearchSchema,
    SignatureSchema,
    SignSchema,
    UpdateOrganisationSchema,
    WithdrawSchema,
)
from .worker import ImportWorker

EXPORT_BATCH = 1_000


def _actor(actor: dict[str, Any] | None) -> Actor:
    """Who asks, as the gateway vouches for it; nobody in particular when not given."""
    return load(ActorSchema(), actor or {})  # type: ignore[no-any-return]


def _page(result: handlers.Page) -> dict[str, Any]:
    return {
        "items": OrganisationSchema(many=True).dump(result.items),
        "page": result.page,
        "per_page": result.per_page,
        "total": result.total,
    }


class RegistryService:
    name = "registry"

    uow: RegistryUnitOfWork = UnitOfWorkProvider(RegistryUnitOfWork)  # type: ignore[assignment]
    observability = Observability()
    import_worker: ImportWorker = ImportWorker()  # type: ignore[assignment]

    @rpc
    def health(self) -> dict[str, Any]:
        return health_report(self.name, "samverkan-registry", self.uow)

    # --- organisations -------------------------------------------------------------------------

    @rpc
    def register_organisation(self, payload: dict[str, Any]) -> dict[str, Any]:
        command = load(RegisterOrganisationSchema(), payload)
        organisation = handlers.register_organisation(self.uow, **command)
        return OrganisationSchema().dump(organisation)

    @rpc
    def get_organisation(self, organisation_id: str) -> dict[str, Any]:
        return OrganisationSchema().dump(handlers.get_organisation(self.uow, organisation_id))

    @rpc
    def update_organisation(
        self, organisation_id: str, payload: dict[str, Any], actor: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        changes = load(UpdateOrganisationSchema(), payload)
        version = changes.pop("version")
        organisation = handlers.update_organisation(self.uow, _actor(actor), organisation_id, version, changes)
        return OrganisationSchema().dump(organisation)

    @rpc
    def dissolve_organisation(
        self, organisation_id: str, payload: dict[str, Any], actor: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        command = load(DissolveSchema(), payload)
        organisation = handlers.dissolve_organisation(self.uow, _actor(actor), organisation_id, command["version"])
        return OrganisationSchema().dump(organisation)

    @rpc
    def list_organisations(self, page: int = 1, per_page: int = DEFAULT_PER_PAGE) -> dict[str, Any]:
        query = load(ListOrganisationsSchema(), {"page": page, "per_page": per_page})
        return _page(handlers.list_organisations(self.uow, **query))

    @rpc
    def search_organisations(self, query: dict[str, Any] | None = None) -> dict[str, Any]:
        return _page(handlers.search_organisations(self.uow, load(SearchSchema(), query or {})))

    @rpc
    def list_municipalities(self) -> list[dict[str, Any]]:
        return handlers.list_municipalities(self.uow)

    # --- signatories ---------------------------------------------------------------------------

    @rpc
    def sign(
        self, organisation_id: str, payload: dict[str, Any], actor: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        command = load(SignSchema(), payload)
        return SignatureSchema().dump(handlers.sign(self.uow, _actor(actor), organisation_id, command["signed_on"]))

    @rpc
    def withdraw(
        self, organisation_id: str, payload: dict[str, Any], actor: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        command = load(WithdrawSchema(), payload)
        signature = handlers.withdraw(self.uow, _actor(actor), organisation_id, command["withdrawn_on"])
        return SignatureSchema().dump(signature)

    @rpc
    def signatures(self, organisation_id: str) -> list[dict[str, Any]]:
        return SignatureSchema(many=True).dump(handlers.signatures_of(self.uow, organisation_id))

    # --- forum memberships ---------------------------------------------------------------------

    @rpc
    def add_membership(
        self, organisation_id: str, payload: dict[str, Any], actor: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        command = load(MembershipInSchema(), payload)
        return MembershipSchema().dump(handlers.add_membership(self.uow, _actor(actor), organisation_id, **command))

    @rpc
    def end_membership(
        self, membership_id: str, payload: dict[str, Any], actor: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        command = load(EndMembershipSchema(), payload)
        membership = handlers.end_membership(self.uow, _actor(actor), membership_id, command["ends_on"])
        return MembershipSchema().dump(membership)

    @rpc
    def memberships(self, organisation_id: str) -> list[dict[str, Any]]:
        return MembershipSchema(many=True).dump(handlers.memberships_of(self.uow, organisation_id))

    # --- contact persons -----------------------------------------------------------------------

    @rpc
    def add_contact_person(
        self, organisation_id: str, payload: dict[str, Any], actor: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        command = load(ContactPersonInSchema(), payload)
        person = handlers.add_contact_person(self.uow, _actor(actor), organisation_id, **command)
        return ContactPersonSchema().dump(person)

    @rpc
    def contact_persons(self, organisation_id: str, actor: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        persons = handlers.contact_persons(self.uow, _actor(actor), organisation_id)
        return ContactPersonSchema(many=True).dump(persons)

    @rpc
    def export_person(self, query: dict[str, Any], actor: dict[str, Any] | None = None) -> dict[str, Any]:
        exported = handlers.export_person(self.uow, _actor(actor), **load(PersonQuerySchema(), query))
        return {
            "records": [
                {
                    "person": ContactPersonSchema().dump(person),
                    "organisation": {"id": organisation.id, "name": organisation.name},
                }
                for person, organisation in exported.records
            ]
        }

    @rpc
    def erase_person(self, query: dict[str, Any], actor: dict[str, Any] | None = None) -> dict[str, Any]:
        erased = handlers.erase_person(self.uow, _actor(actor), **load(PersonQuerySchema(), query))
        return {"erased": erased}

    # --- import and export ---------------------------------------------------------------------

    @rpc
    def create_import_job(self, payload: dict[str, Any], actor: dict[str, Any] | None = None) -> dict[str, Any]:
        """A job that will take a CSV file in ``chunks`` parts (each a few hundred kB of the file)."""
        filename = str(payload.get("filename") or "")
        chunks = payload.get("chunks")
        if not isinstance(chunks, int) or isinstance(chunks, bool):
            raise Invalid("The input is not valid.", "INVALID_INPUT", {"chunks": ["A whole number."]})
        return _job(imports.create_job(self.uow, _actor(actor), filename=filename, chunks=chunks))

    @rpc
    def add_import_chunk(
        self, job_id: str, position: int, content_base64: str, actor: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        try:
            content = base64.b64decode(content_base64, validate=True)
        except (binascii.Error, ValueError, TypeError):
            raise Invalid("The input is not valid.", "INVALID_INPUT", {"content": ["Not base64."]}) from None
        job = imports.add_chunk(self.uow, _actor(actor), job_id, position, content)
        if job["status"] == "queued":
            self.import_worker.wake()
        return _job(job)

    @rpc
    def get_job(self, job_id: str, actor: dict[str, Any] | None = None) -> dict[str, Any]:
        return _job(imports.get_job(self.uow, _actor(actor), job_id))

    @rpc
    def export_csv(self, after_id: str | None = None, limit: int = EXPORT_BATCH) -> dict[str, Any]:
        """The next ``limit`` organisations after ``after_id`` as CSV text (public fields); ``next`` for the rest."""
        limit = max(1, min(int(limit), EXPORT_BATCH))
        organisations = handlers.export_after(self.uow, after_id, limit)
        out = io.StringIO()
        csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(
            imports.csv_lines(organisations, with_heading=after_id is None)
        )
        return {"csv": out.getvalue(), "next": organisations[-1].id if len(organisations) == limit else None}


def _job(job: dict[str, Any]) -> dict[str, Any]:
    """A job as JSON: times as ISO 8601."""
    return {key: value.isoformat() if hasattr(value, "isoformat") else value for key, value in job.items()}
