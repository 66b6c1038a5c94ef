"""The notifier: listens for what happens elsewhere and records what each follower is owed."""

from __future__ import annotations

from typing import Any

from nameko.events import event_handler

from samverkan_common.providers import UnitOfWorkProvider
from samverkan_common.service import health_report, load, rpc

from ..adapters.repository import NotifierUnitOfWork
from ..service_layer import handlers
from .schemas import NotificationSchema, PageSchema, SubscribeSchema, SubscriptionSchema


class NotifierService:
    name = "notifier"

    uow: NotifierUnitOfWork = UnitOfWorkProvider(NotifierUnitOfWork)  # type: ignore[assignment]

    @rpc
    def health(self) -> dict[str, Any]:
        return health_report(self.name, "samverkan-notifier", self.uow)

    @rpc
    def subscribe(self, payload: dict[str, Any]) -> dict[str, Any]:
        subscription = handlers.subscribe(self.uow, **load(SubscribeSchema(), payload))
        return SubscriptionSchema().dump(subscription)

    @rpc
    def list_notifications(self, **query: Any) -> dict[str, Any]:
        params = load(PageSchema(), query)
        items, total = handlers.list_notifications(self.uow, **params)
        return {
            "items": NotificationSchema(many=True).dump(items),
            "page": params["page"],
            "per_page": params["per_page"],
            "total": total,
        }

    # requeue_on_error: if the database is away the event goes back on the queue
    # instead of being acknowledged and forgotten.
    @event_handler("events", "meeting_scheduled", requeue_on_error=True)
    def on_meeting_scheduled(self, event: dict[str, Any]) -> None:
        handlers.meeting_scheduled(self.uow, event)
