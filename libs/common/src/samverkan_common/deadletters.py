"""Poison messages: when an event handler gives up on an event, and where the event then waits.

Every service's event handlers use :func:`samverkan_common.retrying.event_handler`. When a
handler raises, :func:`decide` chooses one of three things:

- **wait**: what the handler needs is away (its database, the broker). The event goes back
  to its queue after a pause that doubles up to ``max_delay``; it is never dead-lettered, so
  an outage of any length loses nothing, and the handler does not spin meanwhile.
- **retry**: any other error, fewer than ``attempts`` times so far. A copy of the event, with
  the count of failed attempts in a header, goes through the retry queue (a short wait,
  held by the broker) to the back of the handler's queue; the original is then acknowledged,
  so the events behind it are handled meanwhile.
- **dead-letter**: the last attempt failed. The event goes, with what is known about its
  failure, to the durable queue ``samverkan.dead-letters`` and is acknowledged on its own
  queue. Operators see it, replay it to its handler or discard it (:class:`DeadLetterQueue`,
  behind the gateway's ``/api/v1/dead-letters``).

Why a header on a republished copy, and not RabbitMQ's ``x-delivery-count``: that count
exists only on quorum queues, and nameko 2.14 declares every event queue as a classic
durable queue. Declaring the same name with another ``x-queue-type`` fails with
PRECONDITION_FAILED on an installation whose queues already exist, so moving to quorum
queues would mean deleting and re-creating every event queue during an upgrade. A header
on the copy counts across crashes and restarts just as well: the copy is published with
confirms before the original is acknowledged, so a crash in between leaves two copies
(delivery is at-least-once and every handler is idempotent), never none.

This module holds no nameko: the gateway uses :class:`DeadLetterQueue` too.
"""

from __future__ import annotations

import socket
import threading
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from amqp.exceptions import ConnectionError as AmqpConnectionError
from amqp.exceptions import NotFound as AmqpNotFound
from amqp.exceptions import RecoverableConnectionError
from kombu import Connection, Exchange, Producer, Queue
from kombu.exceptions import OperationalError as BrokerOperationalError
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError

from .errors import Conflict, NotFound, Unavailable

# Exchanges and queues, one set per virtual host, shared by every service.
RETRY_EXCHANGE = Exchange("samverkan.retry", type="fanout", durable=True)
# Holds each copy for its per-message expiration, then dead-letters it to the default
# exchange with its own routing key: the name of the handler's queue it came from.
RETRY_QUEUE = Queue(
    "samverkan.retry",
    exchange=RETRY_EXCHANGE,
    durable=True,
    queue_arguments={"x-dead-letter-exchange": ""},
)
DEAD_LETTER_QUEUE = Queue("samverkan.dead-letters", durable=True)

# Headers. ``samverkan-attempts`` counts failed attempts (not waits for a database).
ATTEMPTS = "samverkan-attempts"
REPLAYS = "samverkan-replays"
PREFIX = "samverkan-dead-letter-"
# Added by RabbitMQ on each pass through the retry queue; a copy starts without them.
_BROKER_HEADERS = ("x-death", "x-first-death-exchange", "x-first-death-queue", "x-first-death-reason")
_BROKER_HEADERS += ("x-last-death-exchange", "x-last-death-queue", "x-last-death-reason")

ERROR_MESSAGE_LENGTH = 500

# What "the handler's needs are away" means: the errors our ``rpc`` decorator turns into
# Unavailable (the database), Unavailable itself, and the broker or the network failing.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    OperationalError,
    InterfaceError,
    DisconnectionError,
    Unavailable,
    BrokerOperationalError,
    AmqpConnectionError,
    RecoverableConnectionError,
    ConnectionError,
    socket.timeout,
)


def is_transient(error: BaseException) -> bool:
    """True when trying again later may work without anyone changing anything."""
    return isinstance(error, TRANSIENT_ERRORS)


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a failing event is tried (config keys in brackets)."""

    attempts: int = 5  # EVENT_RETRY.ATTEMPTS: tries in all before the dead-letter queue
    delay: float = 0.5  # EVENT_RETRY.DELAY_SECONDS: the first wait; each next one doubles
    max_delay: float = 30.0  # EVENT_RETRY.MAX_DELAY_SECONDS: the longest wait

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> RetryPolicy:
        section = config.get("EVENT_RETRY") or {}
        policy = cls(
            attempts=int(section.get("ATTEMPTS", cls.attempts)),
            delay=float(section.get("DELAY_SECONDS", cls.delay)),
            max_delay=float(section.get("MAX_DELAY_SECONDS", cls.max_delay)),
        )
        if policy.attempts < 1 or policy.delay < 0 or policy.max_delay < policy.delay:
            raise ValueError(f"EVENT_RETRY needs ATTEMPTS >= 1 and 0 <= DELAY_SECONDS <= MAX_DELAY_SECONDS: {policy}")
        return policy

    def wait(self, streak: int) -> float:
        """The pause before try number ``streak + 1`` of a run of failures (streak >= 1)."""
        return float(min(self.max_delay, self.delay * 2 ** min(max(streak - 1, 0), 32)))


class Action(Enum):
    WAIT = "wait"  # back on its own queue after a pause; not counted
    RETRY = "retry"  # a counted failure: a copy to the back of the queue after a pause
    DEAD_LETTER = "dead_letter"  # the last attempt failed: to the dead-letter queue


@dataclass(frozen=True)
class Decision:
    action: Action
    delay: float  # seconds before the next try (0 when dead-lettered)
    attempts: int  # failed attempts counted so far, this one included


def decide(error: BaseException, attempts_before: int, transient_streak: int, policy: RetryPolicy) -> Decision:
    """What to do with an event whose handler just raised ``error``.

    ``attempts_before``: failed attempts counted on the message so far (its header).
    ``transient_streak``: how many transient failures this handler met in a row before this one.
    """
    if is_transient(error):
        return Decision(Action.WAIT, policy.wait(transient_streak + 1), attempts_before)
    attempts = max(attempts_before, 0) + 1
    if attempts >= policy.attempts:
        return Decision(Action.DEAD_LETTER, 0.0, attempts)
    return Decision(Action.RETRY, policy.wait(attempts), attempts)


def attempts_of(headers: Mapping[str, Any] | None) -> int:
    """The failed attempts a message's header counts (0 when absent or unreadable)."""
    return _count((headers or {}).get(ATTEMPTS))


def _count(value: Any) -> int:
    try:
        return max(int(value or 0), 0)
    except (TypeError, ValueError):
        return 0


def copied_headers(headers: Mapping[str, Any] | None) -> dict[str, Any]:
    """A message's headers for a copy of it: ours and nameko's, not the broker's own."""
    return {key: value for key, value in (headers or {}).items() if key not in _BROKER_HEADERS}


def event_id_of(payload: Any) -> str | None:
    if isinstance(payload, Mapping) and isinstance(payload.get("event_id"), str):
        return str(payload["event_id"])[:64]
    return None


@dataclass(frozen=True)
class DeadLetter:
    """What an operator sees of an event that its handler gave up on. The payload stays in the queue."""

    id: str
    service: str
    handler: str
    source_service: str
    event_type: str
    event_id: str | None
    queue: str
    attempts: int
    error_type: str
    error: str
    dead_lettered_at: str
    replays: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def headers(self) -> dict[str, Any]:
        return {PREFIX + key.replace("_", "-"): value for key, value in asdict(self).items() if value is not None}

    @classmethod
    def from_message(cls, message_id: str | None, headers: Mapping[str, Any] | None) -> DeadLetter:
        found = headers or {}

        def text(key: str) -> str:
            value = found.get(PREFIX + key)
            return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value or "")

        return cls(
            id=str(message_id or text("id")),
            service=text("service"),
            handler=text("handler"),
            source_service=text("source-service"),
            event_type=text("event-type"),
            event_id=text("event-id") or None,
            queue=text("queue"),
            attempts=_count(found.get(PREFIX + "attempts")),
            error_type=text("error-type"),
            error=text("error"),
            dead_lettered_at=text("dead-lettered-at"),
            replays=_count(found.get(PREFIX + "replays")),
        )


def dead_letter(
    *,
    service: str,
    handler: str,
    source_service: str,
    event_type: str,
    queue: str,
    payload: Any,
    headers: Mapping[str, Any] | None,
    attempts: int,
    error: BaseException,
) -> DeadLetter:
    """The record of an event given up on now, after ``attempts`` failed attempts."""
    return DeadLetter(
        id=str(uuid.uuid4()),
        service=service,
        handler=handler,
        source_service=source_service,
        event_type=event_type,
        event_id=event_id_of(payload),
        queue=queue,
        attempts=attempts,
        error_type=type(error).__name__,
        error=str(error)[:ERROR_MESSAGE_LENGTH],
        dead_lettered_at=datetime.now(UTC).isoformat(timespec="seconds"),
        replays=_count((headers or {}).get(REPLAYS)),
    )


class DeadLetterQueue:
    """The operators' view of ``samverkan.dead-letters``: list, replay to the handler, discard.

    The broker is the store: no service database has to be up to see what failed, and a
    dead letter keeps its original body and headers until an operator decides. Reading a
    queue without consuming it means taking its messages unacknowledged and closing the
    channel, which puts them back in their order; one lock per process keeps two requests
    of this process from hiding messages from each other. ``limit`` bounds what one request
    reads: a queue that long needs a fix and a bulk replay, not paging.
    """

    def __init__(self, amqp_uri: str, limit: int = 1000, connect_timeout: float = 3.0) -> None:
        self.amqp_uri = amqp_uri
        self.limit = limit
        self.connect_timeout = connect_timeout
        self._lock = threading.Lock()

    def list(self) -> tuple[list[DeadLetter], int]:
        """Up to ``limit`` dead letters, oldest first, and how many the queue holds in all."""
        with self._browse() as (messages, total, _connection):
            return [DeadLetter.from_message(m.properties.get("message_id"), m.headers) for m in messages], total

    def replay(self, dead_letter_id: str) -> DeadLetter:
        """Send the event back to its handler's queue for a fresh set of attempts, then drop it here."""
        with self._browse() as (messages, _total, connection):
            message, letter = self._find(messages, dead_letter_id)
            channel = connection.channel()
            try:
                try:
                    channel.queue_declare(queue=letter.queue, passive=True)
                except AmqpNotFound:
                    raise Conflict(
                        f"The queue of handler {letter.service}.{letter.handler} no longer exists.",
                        "DEAD_LETTER_QUEUE_GONE",
                    ) from None
                headers = {k: v for k, v in copied_headers(message.headers).items() if not k.startswith(PREFIX)}
                headers[ATTEMPTS] = 0
                headers[REPLAYS] = letter.replays + 1
                Producer(channel).publish(
                    message.body,
                    exchange="",
                    routing_key=letter.queue,
                    headers=headers,
                    content_type=message.content_type,
                    content_encoding=message.content_encoding,
                    delivery_mode=2,
                    mandatory=True,
                )
            finally:
                channel.close()
            # Published and confirmed first: a crash here replays it twice, never loses it.
            message.ack()
            return letter

    def discard(self, dead_letter_id: str) -> DeadLetter:
        """Drop a dead letter for good (its handler will never see that event)."""
        with self._browse() as (messages, _total, _connection):
            message, letter = self._find(messages, dead_letter_id)
            message.ack()
            return letter

    @staticmethod
    def _find(messages: list[Any], dead_letter_id: str) -> tuple[Any, DeadLetter]:
        for message in messages:
            letter = DeadLetter.from_message(message.properties.get("message_id"), message.headers)
            if letter.id == dead_letter_id:
                return message, letter
        raise NotFound(f"No dead letter {dead_letter_id}.", "DEAD_LETTER_NOT_FOUND")

    @contextmanager
    def _browse(self) -> Iterator[tuple[list[Any], int, Connection]]:
        with self._lock:
            try:
                connection = Connection(
                    self.amqp_uri,
                    connect_timeout=self.connect_timeout,
                    transport_options={"confirm_publish": True},
                )
                connection.connect()
            except (OSError, BrokerOperationalError, AmqpConnectionError) as error:
                raise Unavailable("The message broker cannot be reached.", "BROKER_UNAVAILABLE") from error
            with connection:
                channel = connection.channel()
                queue = DEAD_LETTER_QUEUE(channel)
                queue.declare()
                total = channel.queue_declare(queue=queue.name, passive=True).message_count
                messages = []
                while len(messages) < self.limit:
                    message = queue.get(no_ack=False)
                    if message is None:
                        break
                    messages.append(message)
                try:
                    yield messages, int(total), connection
                finally:
                    # Whatever was not acknowledged goes back, in its order, when the channel closes.
                    channel.close()
