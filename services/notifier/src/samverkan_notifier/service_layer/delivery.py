"""Sending what is owed: claim what is due, hand it to the courier, record each outcome.

States: queued → sent, or queued → failed (with the reason) → retried → sent |
failed … until the retry window (24 h by default) is over → parked, where an
operator sees it at ``GET /api/v1/notifications?status=parked``. Nothing is
dropped silently.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from ..adapters.repository import NotifierUnitOfWork
from ..domain.model import Channel, Notification, NotificationStatus, RetryPolicy, Subscription
from .handlers import token_digest


@dataclass
class Job:
    """Everything the courier needs to render and send one message."""

    notification: Notification
    event: dict[str, Any] | None
    subscription: Subscription | None
    unsubscribe_token: str | None = None
    # For a digest: its items, each with its event.
    items: list[tuple[Notification, dict[str, Any] | None]] = field(default_factory=list)


class Courier(Protocol):
    def deliver(self, jobs: list[Job]) -> dict[str, str | None]:
        """Send each job; answer per notification id None (accepted) or the reason it failed."""


def deliver_due(
    uow: NotifierUnitOfWork,
    courier: Courier,
    policy: RetryPolicy,
    clock: Callable[[], datetime],
    limit: int = 200,
    lease: timedelta = timedelta(minutes=10),
) -> int:
    """Send up to ``limit`` due messages; return how many were attempted."""
    now = clock()
    claimed = uow.notifications.claim_due(now, now + lease, limit)
    if not claimed:
        uow.rollback()
        return 0
    jobs = _prepare(uow, claimed)
    # The lease and the unsubscribe tokens' hashes are committed before any message
    # leaves, so a link works as soon as it arrives and no other worker takes the job.
    uow.commit()
    outcomes = courier.deliver(jobs)
    finished = clock()
    recorded = []
    for job in jobs:
        item = job.notification
        previous = item.status
        item.attempts += 1
        error = outcomes.get(item.id, "not attempted")
        if error is None:
            item.status, item.sent_at, item.last_error, item.next_attempt_at = (
                NotificationStatus.SENT,
                finished,
                None,
                None,
            )
        else:
            item.last_error = error[:500]
            retry_at = policy.next_attempt(item.attempts, item.queued_at or item.created_at, finished)
            if retry_at is None:
                item.status, item.next_attempt_at = NotificationStatus.PARKED, None
            else:
                item.status, item.next_attempt_at = NotificationStatus.FAILED, retry_at
        recorded.append((item, previous))
    uow.notifications.record_outcomes(recorded, finished)
    uow.commit()
    return len(jobs)


def _prepare(uow: NotifierUnitOfWork, claimed: list[Notification]) -> list[Job]:
    digests = {item.id: uow.notifications.items_of_digest(item.id) for item in claimed if item.event_type == "digest"}
    event_ids = {item.event_id for item in claimed} | {part.event_id for parts in digests.values() for part in parts}
    events = uow.payloads.get_many(event_ids)
    subscriptions: dict[str, Subscription | None] = {}
    jobs = []
    for item in claimed:
        subscription = None
        if item.subscription_id:
            if item.subscription_id not in subscriptions:
                subscriptions[item.subscription_id] = uow.subscriptions.get(item.subscription_id)
            subscription = subscriptions[item.subscription_id]
        job = Job(
            notification=item,
            event=events.get(item.event_id),
            subscription=subscription,
            items=[(part, events.get(part.event_id)) for part in digests.get(item.id, [])],
        )
        if item.channel is Channel.EMAIL and subscription is not None:
            # A fresh token per message (≥128 bits); only its hash is kept.
            job.unsubscribe_token = secrets.token_urlsafe(24)
            uow.notifications.set_unsubscribe_digest(item.id, token_digest(job.unsubscribe_token))
        jobs.append(job)
    return jobs
