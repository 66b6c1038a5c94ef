"""The registry service: thin RPC entrypoints over the use cases."""

from __future__ import annotations

from typing import Any

from samverkan_common.providers import UnitOfWorkProvider
from samverkan_common.service import health_report, load, rpc

from ..adapters.repository import RegistryUnitOfWork
from ..domain.model import DEFAULT_PER_PAGE
from ..service_layer import handlers
from .schemas import ListOrganisationsSchema, OrganisationSchema, RegisterOrganisationSchema


class RegistryService:
    name = "registry"

    uow: RegistryUnitOfWork = UnitOfWorkProvider(RegistryUnitOfWork)  # type: ignore[assignment]

    @rpc
    def health(self) -> dict[str, Any]:
        return health_report(self.name, "samverkan-registry", self.uow)

    @rpc
    def register_organisation(self, payload: dict[str, Any]) -> dict[str, Any]:
        command = load(RegisterOrganisationSchema(), payload)
        organisation = handlers.register_organisation(self.uow, **command)
        return OrganisationSchema().dump(organisation)

    @rpc
    def get_organisation(self, organisation_id: str) -> dict[str, Any]:
        return OrganisationSchema().dump(handlers.get_organisation(self.uow, organisation_id))

    @rpc
    def list_organisations(self, page: int = 1, per_page: int = DEFAULT_PER_PAGE) -> dict[str, Any]:
        query = load(ListOrganisationsSchema(), {"page": page, "per_page": per_page})
        result = handlers.list_organisations(self.uow, **query)
        return {
            "items": OrganisationSchema(many=True).dump(result.items),
            "page": result.page,
            "per_page": result.per_page,
            "total": result.total,
        }
