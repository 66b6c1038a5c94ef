"""Use cases of the notifier: subscriptions, and what each event owes to whom.

Who may see and change which subscriptions (the gateway passes the caller):

- an operator sees every subscription and may replace any organisation's set;
- an organisation token bound to an organisation owns ``organisation:<id>``:
  it sees and changes that organisation's subscriptions, whoever made them;
- any other token (a planner, an organisation token bound to none) owns
  ``token:<id>``: it sees and changes only what it made itself.
- Nobody needs a token to unsubscribe from a message they received: the
  message's one-click link carries a secret token that names that one subscription.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

from samverkan_common.errors import Conflict, Forbidden, NotFound

from ..adapters.repository import NotifierUnitOfWork
from ..domain.model import (
    CONFIRMATION,
    FEEDBACK,
    INVITATION,
    Channel,
    Language,
    Notification,
    Rhythm,
    Subscription,
    derived_id,
    digest_period,
    message_kind,
    parse_time,
    subject_for,
)

OPERATOR = "operator"


def owner_of(caller: dict[str, Any]) -> str:
    """The owner a caller's subscriptions are filed under."""
    if caller.get("role") == "organisation" and caller.get("organisation_id"):
        return f"organisation:{caller['organisation_id']}"
    return f"token:{caller.get('token_id')}"


def _owner_for(caller: dict[str, Any], organisation_id: str | None) -> str:
    if organisation_id is None:
        return owner_of(caller)
    if caller.get("role") == OPERATOR or caller.get("organisation_id") == organisation_id:
        return f"organisation:{organisation_id}"
    raise Forbidden(
        "Only an operator or the organisation itself may manage its subscriptions.",
        "NOT_YOUR_ORGANISATION",
        {"organisation_id": ["Not the organisation of this token."]},
    )


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def subscribe(
    uow: NotifierUnitOfWork, caller: dict[str, Any], wish: dict[str, Any], organisation_id: str | None = None
) -> tuple[Subscription, str | None]:
    """Add one subscription; the webhook secret (made here unless given) is returned this once."""
    owner = _owner_for(caller, organisation_id)
    if _existing(uow, wish) is not None:
        raise Conflict(
            "This address already follows that.",
            "SUBSCRIPTION_EXISTS",
            {"address": ["Already subscribed."]},
        )
    subscription = _new(wish, owner)
    uow.subscriptions.add(subscription)
    uow.commit()
    return subscription, subscription.secret


def _existing(uow: NotifierUnitOfWork, wish: dict[str, Any]) -> Subscription | None:
    """The subscription that already has this key; a person's unconfirmed one gives way to a token holder.

    A token holder may subscribe an address without confirmation, so a stranger's pending
    request for the same address neither blocks it nor tells it that the request exists.
    """
    found = uow.subscriptions.find(wish["scope"], wish["target"], wish["channel"], wish["address"])
    if found is not None and not found.confirmed:
        uow.notifications.delete_confirmations([found.id])
        uow.subscriptions.delete(found.id)
        uow.session.flush()
        return None
    return found


def _new(wish: dict[str, Any], owner: str) -> Subscription:
    secret = wish.get("secret")
    if wish["channel"] is Channel.WEBHOOK and not secret:
        secret = new_secret()
    return Subscription(
        scope=wish["scope"],
        target=wish["target"],
        address=wish["address"],
        channel=wish["channel"],
        language=wish["language"],
        rhythm=wish["rhythm"],
        owner=owner,
        secret=secret if wish["channel"] is Channel.WEBHOOK else None,
    )


def list_subscriptions(
    uow: NotifierUnitOfWork, caller: dict[str, Any], page: int, per_page: int, organisation_id: str | None = None
) -> tuple[list[Subscription], int]:
    if caller.get("role") == OPERATOR and organisation_id is None:
        return uow.subscriptions.page(page, per_page, owner=None)
    return uow.subscriptions.page(page, per_page, owner=_owner_for(caller, organisation_id))


def replace_subscriptions(
    uow: NotifierUnitOfWork,
    caller: dict[str, Any],
    wishes: list[dict[str, Any]],
    now: datetime,
    organisation_id: str | None = None,
) -> tuple[list[Subscription], dict[str, str]]:
    """Make the owner's subscriptions exactly ``wishes``: keep, change, add and remove.

    Returns the new set and the secrets of webhooks created now (shown this once).
    """
    owner = _owner_for(caller, organisation_id)
    existing = {subscription.key: subscription for subscription in uow.subscriptions.of_owner(owner)}
    wanted: set[tuple[str, str, str, str]] = set()
    shown: dict[str, str] = {}
    for index, wish in enumerate(wishes):
        key = (wish["scope"].value, wish["target"], wish["channel"].value, wish["address"])
        if key in wanted:
            raise Conflict("The same subscription is listed twice.", "SUBSCRIPTION_TWICE", {str(index): ["Twice."]})
        wanted.add(key)
        current = existing.get(key)
        if current is not None:
            current.language, current.rhythm = wish["language"], wish["rhythm"]
            if wish["channel"] is Channel.WEBHOOK and wish.get("secret"):
                current.secret = wish["secret"]
            uow.subscriptions.update(current)
            continue
        if _existing(uow, wish) is not None:
            uow.rollback()
            raise Conflict(
                "Someone else already subscribes this address to that.",
                "SUBSCRIPTION_EXISTS",
                {str(index): ["Already subscribed by another owner."]},
            )
        created = _new(wish, owner)
        uow.subscriptions.add(created)
        if created.secret and not wish.get("secret"):
            shown[created.id] = created.secret
    for key, subscription in existing.items():
        if key not in wanted:
            uow.notifications.withdraw_pending(subscription.id, now)
            uow.subscriptions.delete(subscription.id)
    uow.commit()
    return uow.subscriptions.of_owner(owner), shown


def unsubscribe_preview(uow: NotifierUnitOfWork, token: str) -> dict[str, Any]:
    """What the one-click link would end, so the page can say it in plain words."""
    notification = uow.notifications.by_unsubscribe_digest(token_digest(token))
    # A confirmation mail's token confirms; it does not unsubscribe (it has its own page).
    if notification is None or notification.event_type == CONFIRMATION:
        uow.rollback()
        raise NotFound("This unsubscribe link is not valid.", "UNSUBSCRIBE_TOKEN_UNKNOWN")
    subscription = uow.subscriptions.get(notification.subscription_id) if notification.subscription_id else None
    uow.rollback()
    return {
        "language": notification.language.value,
        "address": notification.address,
        "active": subscription is not None,
        "scope": subscription.scope.value if subscription else None,
        "target": subscription.target if subscription else None,
    }


def unsubscribe(uow: NotifierUnitOfWork, token: str, now: datetime) -> dict[str, Any]:
    """End the subscription the token was sent for; doing it twice is fine."""
    preview = unsubscribe_preview(uow, token)
    notification = uow.notifications.by_unsubscribe_digest(token_digest(token))
    assert notification is not None
    if notification.subscription_id and preview["active"]:
        uow.notifications.withdraw_pending(notification.subscription_id, now)
        uow.subscriptions.delete(notification.subscription_id)
        uow.commit()
    return {**preview, "active": False}


# --- what events owe ---------------------------------------------------------------------------------


def _owed(event_id: str, kind: str, data: dict[str, Any], subscription: Subscription, now: datetime) -> Notification:
    item = Notification(
        event_id=event_id,
        event_type=kind,
        subscription_id=subscription.id,
        channel=subscription.channel,
        address=subscription.address,
        language=subscription.language,
        subject=subject_for(kind, subscription.language, data),
        next_attempt_at=now,
        created_at=now,
    )
    if subscription.rhythm is not Rhythm.IMMEDIATELY:
        item.digest_key, item.next_attempt_at = digest_period(subscription.rhythm, now)
    return item


def _fan_out(
    uow: NotifierUnitOfWork,
    event: dict[str, Any],
    kind: str,
    batches: Iterator[list[Subscription]],
    now: datetime,
) -> int:
    """One notification per follower, written a batch at a time: no list of every message is ever held."""
    data = event["data"]
    recorded = 0
    for batch in batches:
        recorded += uow.notifications.add_all([_owed(event["event_id"], kind, data, sub, now) for sub in batch])
    return recorded


def meeting_event(uow: NotifierUnitOfWork, event: dict[str, Any], now: datetime) -> int:
    """meeting_scheduled / _updated / _cancelled: tell everyone who follows the meeting, once."""
    if not uow.first_delivery(event):
        uow.rollback()
        return 0
    data = event["data"]
    starts_at = parse_time(data.get("starts_at"))
    _remember_meeting(uow, event["type"], data, starts_at)
    uow.payloads.keep(event)
    recorded = _fan_out(
        uow,
        event,
        event["type"],
        uow.subscriptions.following_meeting(
            str(data.get("forum_slug", "")), data.get("level"), starts_at.date() if starts_at else None
        ),
        now,
    )
    uow.commit()
    return recorded


def _remember_meeting(
    uow: NotifierUnitOfWork, event_type: str, data: dict[str, Any], starts_at: datetime | None
) -> None:
    if starts_at is None or not data.get("meeting_id") or data.get("occurrence_start"):
        return
    status = "cancelled" if event_type == "meeting_cancelled" else str(data.get("status") or "planned")
    uow.meetings.put(
        str(data["meeting_id"]),
        str(data.get("forum_slug", "")),
        starts_at,
        parse_time(data.get("registration_deadline")),
        status,
        data,
    )


def registration_event(uow: NotifierUnitOfWork, event: dict[str, Any], now: datetime) -> int:
    """A registration confirmed, waitlisted (or promoted off the list), or cancelled: tell the attendee."""
    if not uow.first_delivery(event):
        uow.rollback()
        return 0
    data = event["data"]
    address = data.get("attendee_email")
    if not address:
        uow.commit()
        return 0
    language = _language(data.get("language"))
    kind = message_kind(event["type"], data)
    if data.get("registration_id") and data.get("meeting_id"):
        uow.attendees.put(
            str(data["registration_id"]), str(data["meeting_id"]), str(address), language.value,
            {"registration_confirmed": "confirmed", "registration_waitlisted": "waitlisted"}.get(
                event["type"], "cancelled"
            ),
        )  # fmt: skip
    uow.payloads.keep(event)
    recorded = uow.notifications.add_all([_to_attendee(event["event_id"], kind, data, str(address), language, now)])
    uow.commit()
    return recorded


def _language(value: object) -> Language:
    return Language(value) if value in ("sv", "en") else Language.SV


def _to_attendee(
    event_id: str, kind: str, data: dict[str, Any], address: str, language: Language, now: datetime
) -> Notification:
    """A message to a person who registered: no subscription, always at once, by e-mail."""
    return Notification(
        event_id=event_id,
        event_type=kind,
        subscription_id=None,
        channel=Channel.EMAIL,
        address=address,
        language=language,
        subject=subject_for(kind, language, data),
        next_attempt_at=now,
        created_at=now,
    )


def plan_created(uow: NotifierUnitOfWork, event: dict[str, Any], now: datetime) -> int:
    """A plan invites organisations: each invited organisation hears of it through its subscriptions."""
    if not uow.first_delivery(event):
        uow.rollback()
        return 0
    invited = [str(i) for i in event["data"].get("invited_organisation_ids") or []]
    recorded = 0
    if invited:
        uow.payloads.keep(event)
        recorded = _fan_out(uow, event, "plan_created", uow.subscriptions.of_organisations(invited), now)
    uow.commit()
    return recorded


def _mail_each_address(
    uow: NotifierUnitOfWork, event: dict[str, Any], kind: str, addresses: list[str], now: datetime
) -> int:
    """One mail of ``kind`` to each address the event names, once per event; a shared address gets one."""
    if not uow.first_delivery(event):
        uow.rollback()
        return 0
    language = _language(event["data"].get("language"))
    unique = list(dict.fromkeys(address.strip() for address in addresses if address.strip()))
    recorded = 0
    if unique:
        uow.payloads.keep(event)
        recorded = uow.notifications.add_all(
            [_to_attendee(event["event_id"], kind, event["data"], address, language, now) for address in unique]
        )
    uow.commit()
    return recorded


def plan_invitation_sent(uow: NotifierUnitOfWork, event: dict[str, Any], now: datetime) -> int:
    """An organisation is invited to a plan's dialogue: one mail to each of its contact addresses, once."""
    addresses = [str(address) for address in event["data"].get("addresses") or () if address]
    return _mail_each_address(uow, event, INVITATION, addresses, now)


def plan_meeting_booked(uow: NotifierUnitOfWork, event: dict[str, Any], now: datetime) -> int:
    """A meeting booked for a plan: each address of the organisations invited to it gets the meeting, once."""
    addresses = [str(address) for address in event["data"].get("addresses") or () if address]
    return _mail_each_address(uow, event, "plan_meeting_booked", addresses, now)


def plan_feedback_given(uow: NotifierUnitOfWork, event: dict[str, Any], now: datetime) -> int:
    """The feedback on a plan's dialogue: one mail to each organisation's contact address, once per event.

    The advisor names the recipients (every organisation invited or taking part, at the address the
    registry had for it when the feedback was given); two organisations sharing an address get one mail.
    """
    addresses = [
        str(recipient.get("email") or "")
        for recipient in event["data"].get("recipients") or ()
        if isinstance(recipient, dict)
    ]
    return _mail_each_address(uow, event, FEEDBACK, addresses, now)


def membership_changed(uow: NotifierUnitOfWork, event: dict[str, Any]) -> None:
    """Remember which forums an organisation sits in, so its followers hear of those forums' meetings."""
    if not uow.first_delivery(event):
        uow.rollback()
        return
    data = event["data"]
    uow.memberships.put(
        str(data["organisation_id"]),
        str(data["forum_slug"]),
        data.get("role"),
        _day(data.get("starts_on")),
        _day(data.get("ends_on")),
        bool(data.get("active", True)),
    )
    uow.commit()


def _day(value: object) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) and value else None


def send_reminders(uow: NotifierUnitOfWork, now: datetime, before: timedelta, deadline_before: timedelta) -> int:
    """Reminders before meetings and before registration deadlines, each recorded once.

    A reminder's id is derived from the meeting and its start (or deadline), so a
    tick that runs twice, or two notifier processes, record it once; a meeting
    moved to a new time gets a new reminder.
    """
    recorded = 0
    due: list[tuple[str, dict[str, Any], str]] = [
        ("meeting_reminder", data, str(data.get("starts_at")))
        for data in uow.meetings.starting_between(now, now + before)
    ]
    due += [
        ("registration_deadline", data, str(data.get("registration_deadline")))
        for data in uow.meetings.deadline_between(now, now + deadline_before)
    ]
    uow.rollback()
    for kind, data, moment in due:
        event = {
            "event_id": derived_id(kind, str(data["meeting_id"]), moment),
            "type": kind,
            "occurred_at": now.isoformat(),
            "data": data,
        }
        if not uow.first_delivery(event):
            uow.rollback()
            continue
        uow.payloads.keep(event)
        starts_at = parse_time(data.get("starts_at"))
        recorded += _fan_out(
            uow,
            event,
            kind,
            uow.subscriptions.following_meeting(
                str(data.get("forum_slug", "")), data.get("level"), starts_at.date() if starts_at else None
            ),
            now,
        )
        if kind == "meeting_reminder":
            # Everyone with a place hears too (once: a follower who also registered gets one message).
            for batch in uow.attendees.confirmed(str(data["meeting_id"])):
                recorded += uow.notifications.add_all(
                    [
                        _to_attendee(event["event_id"], kind, data, email, _language(language), now)
                        for email, language in batch
                    ]
                )
        uow.commit()
    return recorded


def bundle_digests(uow: NotifierUnitOfWork, now: datetime, limit: int = 200) -> int:
    """Turn each closed digest period's items into one message; return how many digests were made.

    An item is bundled in the same transaction that creates its digest, and a
    digest's id is derived from its subscription and period, so a rerun (or a
    second process) neither repeats nor drops an item.
    """
    made = 0
    for subscription_id, digest_key in uow.notifications.due_digests(now, limit):
        items = uow.notifications.digest_items(subscription_id, digest_key)
        subscription = uow.subscriptions.get(subscription_id)
        if not items or subscription is None:
            uow.rollback()
            continue
        digest_id = derived_id("digest", subscription_id, digest_key, items[0].id)
        digest = Notification(
            id=digest_id,
            event_id=digest_id,
            event_type="digest",
            subscription_id=subscription_id,
            channel=subscription.channel,
            address=subscription.address,
            language=subscription.language,
            subject=subject_for("digest", subscription.language, {"count": len(items)}),
            next_attempt_at=now,
            created_at=now,
        )
        if uow.notifications.add_all([digest]):
            uow.notifications.bundle([item.id for item in items], digest_id, now)
            made += 1
        uow.commit()
    return made


def requeue(uow: NotifierUnitOfWork, notification_id: str, now: datetime) -> Notification:
    """Give a parked message another retry window (after the receiver or the mail server is fixed)."""
    found, requeued = uow.notifications.requeue(notification_id, now)
    if found is None:
        uow.rollback()
        raise NotFound(f"There is no notification {notification_id!r}.", "NOTIFICATION_NOT_FOUND")
    if not requeued:
        uow.rollback()
        raise Conflict(
            "Only a parked notification can be requeued.",
            "NOTIFICATION_NOT_PARKED",
            {"status": [f"It is {found.status.value}."]},
        )
    uow.commit()
    return found


def list_notifications(
    uow: NotifierUnitOfWork, *, page: int, per_page: int, event_id: str | None = None, status: str | None = None
) -> tuple[list[Notification], int, dict[str, list[dict[str, Any]]]]:
    items, total = uow.notifications.page(page, per_page, event_id, status)
    history = uow.notifications.transitions([item.id for item in items])
    uow.rollback()
    return items, total, history
