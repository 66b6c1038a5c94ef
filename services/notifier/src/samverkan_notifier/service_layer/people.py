"""People subscribe by e-mail without a token: double opt-in, and forgetting what was never confirmed.

- ``request_subscription``: whatever the address, the caller answers the same (202); the
  answer never says whether the address is known. New (or still unconfirmed) wishes are
  stored unconfirmed and one confirmation mail is owed. What the address already follows
  is left as it is, and nothing is sent about it.
- The confirmation mail's link carries the message's one secret token, made when it is sent
  (the same mechanism as the unsubscribe links: ≥128 random bits from ``secrets``, only its
  SHA-256 is stored and looked up, so a wrong token costs what a right one does).
- Until it is confirmed a subscription gets nothing (the fan-out reads confirmed ones only).
- ``purge_unconfirmed`` (the delivery worker's timer, once a minute) deletes what was not
  confirmed in time, with its confirmation mail: the address is not kept (GDPR art. 5(1)(c)).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from samverkan_common.errors import NotFound

from ..adapters.repository import NotifierUnitOfWork
from ..domain.model import CONFIRMATION, PERSON, Channel, Notification, Subscription, subject_for
from .handlers import token_digest

# At most this many confirmation mails to one address an hour, however often it is entered.
CONFIRMATIONS_PER_HOUR = 3


def request_subscription(
    uow: NotifierUnitOfWork, wish: dict[str, Any], now: datetime, confirm_within: timedelta
) -> None:
    """Store a person's wish unconfirmed and owe them one confirmation mail; say nothing about the address."""
    address = wish["address"]
    if uow.notifications.confirmations_since(address, now - timedelta(hours=1)) >= CONFIRMATIONS_PER_HOUR:
        uow.rollback()
        return
    request_id = str(uuid.uuid4())
    waiting: list[Subscription] = []
    for scope, target in wish["targets"]:
        existing = uow.subscriptions.find(scope, target, Channel.EMAIL, address)
        if existing is None:
            created = Subscription(
                scope=scope,
                target=target,
                address=address,
                language=wish["language"],
                rhythm=wish["rhythm"],
                owner=PERSON,
                created_at=now,
                confirm_by=now + confirm_within,
                request_id=request_id,
            )
            uow.subscriptions.add(created)
            waiting.append(created)
        elif not existing.confirmed:
            # Asked again before confirming: the newest mail's link is the one that works.
            existing.language, existing.rhythm = wish["language"], wish["rhythm"]
            existing.confirm_by, existing.request_id = now + confirm_within, request_id
            uow.subscriptions.update(existing)
            waiting.append(existing)
    if not waiting:
        uow.commit()
        return
    data = {
        "request_id": request_id,
        "targets": [{"scope": item.scope.value, "target": item.target} for item in waiting],
        "rhythm": wish["rhythm"].value,
        "confirm_by": (now + confirm_within).isoformat(),
    }
    uow.payloads.keep({"event_id": request_id, "type": CONFIRMATION, "occurred_at": now.isoformat(), "data": data})
    uow.notifications.add_all(
        [
            Notification(
                event_id=request_id,
                event_type=CONFIRMATION,
                # The link's token is made when the mail is sent, for a message with a subscription.
                subscription_id=waiting[0].id,
                channel=Channel.EMAIL,
                address=address,
                language=wish["language"],
                subject=subject_for(CONFIRMATION, wish["language"], data),
                next_attempt_at=now,
                created_at=now,
            )
        ]
    )
    uow.commit()


def confirmation_preview(uow: NotifierUnitOfWork, token: str, now: datetime) -> dict[str, Any]:
    """What a confirmation link would confirm, and whether it still can: pending, confirmed or expired."""
    about = _about(uow, token, now)
    uow.rollback()
    return about


def confirm(uow: NotifierUnitOfWork, token: str, now: datetime) -> dict[str, Any]:
    """Confirm the request the link was sent for; doing it twice is fine, after expiry it is refused."""
    about = _about(uow, token, now)
    if about["state"] == "pending":
        uow.subscriptions.confirm_request(about["request_id"], now)
        uow.commit()
        return {**about, "state": "confirmed"}
    uow.rollback()
    return about


def _about(uow: NotifierUnitOfWork, token: str, now: datetime) -> dict[str, Any]:
    # The token is hashed whatever it looks like and found by its hash: no comparison that
    # stops early, so a wrong token takes as long to refuse as a right one to find.
    notification = uow.notifications.by_unsubscribe_digest(token_digest(token))
    if notification is None or notification.event_type != CONFIRMATION:
        uow.rollback()
        raise NotFound("This confirmation link is not valid.", "CONFIRMATION_TOKEN_UNKNOWN")
    subscriptions = uow.subscriptions.of_request(notification.event_id)
    if subscriptions and all(item.confirmed for item in subscriptions):
        state = "confirmed"
    elif subscriptions and all(item.confirm_by is None or item.confirm_by > now for item in subscriptions):
        state = "pending"
    else:
        # Expired, or its subscriptions were ended or asked for again (a newer mail has the link).
        state = "expired"
    return {
        "request_id": notification.event_id,
        "state": state,
        "language": notification.language.value,
        "address": notification.address,
        "targets": [{"scope": item.scope.value, "target": item.target} for item in subscriptions],
    }


def purge_unconfirmed(uow: NotifierUnitOfWork, now: datetime, keep_orphans: timedelta, batch: int = 500) -> int:
    """Delete subscriptions not confirmed in time, with their confirmation mails; return how many.

    Confirmation mails whose subscriptions are all gone (ended, or taken over by a token holder)
    are deleted once they are ``keep_orphans`` old: by then their link has expired anyway.
    """
    purged = 0
    while True:
        expired = uow.subscriptions.unconfirmed_expired(now, batch)
        uow.notifications.delete_confirmations(expired, now - keep_orphans)
        if expired:
            uow.subscriptions.delete_many(expired)
        uow.commit()
        purged += len(expired)
        if len(expired) < batch:
            return purged
