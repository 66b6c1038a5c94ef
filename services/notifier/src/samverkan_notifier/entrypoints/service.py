"""The notifier: listens for what happens elsewhere, records what each follower is owed, and sends it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from nameko.dependency_providers import Config

from samverkan_common.metrics import Observability
from samverkan_common.providers import UnitOfWorkProvider
from samverkan_common.retrying import event_handler
from samverkan_common.service import health_report, load, rpc

from ..adapters.repository import NotifierUnitOfWork
from ..service_layer import erasure, handlers, people
from .dispatch import Clock, Dispatcher, confirm_window
from .schemas import (
    CallerSchema,
    NotificationQuerySchema,
    NotificationSchema,
    PersonSubscribeSchema,
    ReplaceSchema,
    SubscribeSchema,
    SubscriptionQuerySchema,
    dump_subscription,
)

# When no caller is named (the demo loader, a script), the subscription belongs to the system.
SYSTEM = {"role": "operator", "token_id": "system"}


class NotifierService:
    name = "notifier"

    uow: NotifierUnitOfWork = UnitOfWorkProvider(NotifierUnitOfWork)  # type: ignore[assignment]
    observability = Observability()
    dispatcher: Dispatcher = Dispatcher()  # type: ignore[assignment]
    clock: Callable[[], datetime] = Clock()  # type: ignore[assignment]
    config: dict[str, Any] = Config()  # type: ignore[assignment]

    @rpc
    def health(self) -> dict[str, Any]:
        return health_report(self.name, "samverkan-notifier", self.uow)

    # --- subscriptions -------------------------------------------------------------------------

    @rpc
    def subscribe(
        self, payload: dict[str, Any], caller: dict[str, Any] | None = None, organisation_id: str | None = None
    ) -> dict[str, Any]:
        wish = load(SubscribeSchema(), payload)
        subscription, secret = handlers.subscribe(self.uow, self._caller(caller), wish, organisation_id)
        return dump_subscription(subscription, secret)

    @rpc
    def list_subscriptions(self, caller: dict[str, Any] | None = None, **query: Any) -> dict[str, Any]:
        params = load(SubscriptionQuerySchema(), query)
        items, total = handlers.list_subscriptions(self.uow, self._caller(caller), **params)
        return {
            "items": [dump_subscription(item) for item in items],
            "page": params["page"],
            "per_page": params["per_page"],
            "total": total,
        }

    @rpc
    def replace_subscriptions(
        self, payload: dict[str, Any], caller: dict[str, Any] | None = None, organisation_id: str | None = None
    ) -> dict[str, Any]:
        wishes = load(ReplaceSchema(), payload)["items"]
        items, secrets = handlers.replace_subscriptions(
            self.uow, self._caller(caller), wishes, self.clock(), organisation_id
        )
        return {
            "items": [dump_subscription(item, secrets.get(item.id)) for item in items],
            "page": 1,
            "per_page": max(len(items), 1),
            "total": len(items),
        }

    @rpc
    def unsubscribe_preview(self, token: str) -> dict[str, Any]:
        return handlers.unsubscribe_preview(self.uow, str(token))

    @rpc
    def unsubscribe(self, token: str) -> dict[str, Any]:
        return handlers.unsubscribe(self.uow, str(token), self.clock())

    # --- people, without a token: double opt-in ---------------------------------------------

    @rpc
    def request_subscription(self, payload: dict[str, Any]) -> None:
        """A person asks for e-mail; the answer is the same whatever the address (the gateway says 202)."""
        wish = load(PersonSubscribeSchema(), payload)
        people.request_subscription(self.uow, wish, self.clock(), confirm_window(self.config))
        self.dispatcher.wake()

    @rpc
    def confirmation_preview(self, token: str) -> dict[str, Any]:
        return _public(people.confirmation_preview(self.uow, str(token), self.clock()))

    @rpc
    def confirm_subscription(self, token: str) -> dict[str, Any]:
        return _public(people.confirm(self.uow, str(token), self.clock()))

    # --- the delivery log --------------------------------------------------------------------

    @rpc
    def list_notifications(self, **query: Any) -> dict[str, Any]:
        params = load(NotificationQuerySchema(), query)
        status = params.pop("status")
        items, total, history = handlers.list_notifications(self.uow, **params, status=status.value if status else None)
        dumped = NotificationSchema(many=True).dump(items)
        for item in dumped:
            item["transitions"] = [{**step, "at": step["at"].isoformat()} for step in history.get(item["id"], [])]
        return {"items": dumped, "page": params["page"], "per_page": params["per_page"], "total": total}

    @rpc
    def requeue_notification(self, notification_id: str) -> dict[str, Any]:
        requeued = handlers.requeue(self.uow, str(notification_id), self.clock())
        self.dispatcher.wake()
        return dict(NotificationSchema().dump(requeued))

    # --- what happens elsewhere ----------------------------------------------------------------
    # samverkan_common.retrying: a database away makes the event wait and come back; any other
    # failure is tried a few times, then the event goes to the dead-letter queue for operators.

    @event_handler("events", "meeting_scheduled")
    def on_meeting_scheduled(self, event: dict[str, Any]) -> None:
        self._recorded(handlers.meeting_event(self.uow, event, self.clock()))

    @event_handler("events", "meeting_updated")
    def on_meeting_updated(self, event: dict[str, Any]) -> None:
        self._recorded(handlers.meeting_event(self.uow, event, self.clock()))

    @event_handler("events", "meeting_cancelled")
    def on_meeting_cancelled(self, event: dict[str, Any]) -> None:
        self._recorded(handlers.meeting_event(self.uow, event, self.clock()))

    @event_handler("events", "registration_confirmed")
    def on_registration_confirmed(self, event: dict[str, Any]) -> None:
        self._recorded(handlers.registration_event(self.uow, event, self.clock()))

    @event_handler("events", "registration_waitlisted")
    def on_registration_waitlisted(self, event: dict[str, Any]) -> None:
        self._recorded(handlers.registration_event(self.uow, event, self.clock()))

    @event_handler("events", "registration_cancelled")
    def on_registration_cancelled(self, event: dict[str, Any]) -> None:
        self._recorded(handlers.registration_event(self.uow, event, self.clock()))

    @event_handler("levels_advisor", "plan_created")
    def on_plan_created(self, event: dict[str, Any]) -> None:
        self._recorded(handlers.plan_created(self.uow, event, self.clock()))

    @event_handler("levels_advisor", "plan_invitation_sent")
    def on_plan_invitation_sent(self, event: dict[str, Any]) -> None:
        self._recorded(handlers.plan_invitation_sent(self.uow, event, self.clock()))

    @event_handler("levels_advisor", "plan_meeting_booked")
    def on_plan_meeting_booked(self, event: dict[str, Any]) -> None:
        self._recorded(handlers.plan_meeting_booked(self.uow, event, self.clock()))

    @event_handler("levels_advisor", "plan_feedback_given")
    def on_plan_feedback_given(self, event: dict[str, Any]) -> None:
        self._recorded(handlers.plan_feedback_given(self.uow, event, self.clock()))

    @event_handler("registry", "membership_changed")
    def on_membership_changed(self, event: dict[str, Any]) -> None:
        handlers.membership_changed(self.uow, event)

    @event_handler("registry", "person_erased")
    def on_person_erased(self, event: dict[str, Any]) -> None:
        erasure.person_erased(self.uow, event, self.clock())

    def _recorded(self, count: int) -> None:
        if count:
            self.dispatcher.wake()

    @staticmethod
    def _caller(caller: dict[str, Any] | None) -> dict[str, Any]:
        return dict(load(CallerSchema(), caller or SYSTEM))


def _public(about: dict[str, Any]) -> dict[str, Any]:
    """What the confirmation page may show: not the request's internal id."""
    return {key: value for key, value in about.items() if key != "request_id"}
