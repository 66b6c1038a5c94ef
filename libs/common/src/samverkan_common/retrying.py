"""``@event_handler``: nameko's, plus waits, bounded retries and the dead-letter queue.

Use it instead of ``nameko.events.event_handler(..., requeue_on_error=True)``, which put a
failing event straight back at the head of its queue: an event that always fails was
retried for ever, at full speed, and held up the events behind it. The rules are in
:mod:`samverkan_common.deadletters`; this module applies them to nameko's messages.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

import eventlet
from nameko.amqp.publish import Publisher
from nameko.events import EventHandler
from prometheus_client import Counter

from .deadletters import (
    ATTEMPTS,
    DEAD_LETTER_QUEUE,
    RETRY_EXCHANGE,
    RETRY_QUEUE,
    Action,
    RetryPolicy,
    attempts_of,
    copied_headers,
    dead_letter,
    decide,
    event_id_of,
)
from .logs import CONTEXT_KEY, current_request_id

log = logging.getLogger(__name__)

DEAD_LETTERS = Counter(
    "samverkan_dead_letters_total",
    "Events a handler gave up on after its last attempt, sent to the dead-letter queue.",
    ["service", "handler", "event_type"],
)
EVENT_RETRIES = Counter(
    "samverkan_event_retries_total",
    "Failed event handlings that will be tried again: wait (database or broker away) or retry (counted).",
    ["service", "handler", "action"],
)


class RetryingEventHandler(EventHandler):
    """An event handler that waits out outages, retries other failures a few times, then dead-letters."""

    def __init__(self, source_service: str, event_type: str, **kwargs: Any) -> None:
        # The decision is ours (handle_message_processed); nameko's blind requeue stays off.
        kwargs["requeue_on_error"] = False
        super().__init__(source_service, event_type, **kwargs)

    def setup(self) -> None:
        super().setup()
        config = self.container.config
        self.policy = RetryPolicy.from_config(config)
        # Persistent messages, publisher confirms, and mandatory routing: a copy that reached
        # no queue raises, and then the original is not acknowledged.
        self.publisher = Publisher(
            config["AMQP_URI"],
            use_confirms=True,
            mandatory=True,
            declare=[RETRY_EXCHANGE, RETRY_QUEUE, DEAD_LETTER_QUEUE],
        )
        self.transient_streak = 0

    def handle_message_processed(self, message: Any, result: Any = None, exc_info: Any = None) -> None:
        if exc_info is None:
            self.transient_streak = 0
            self.queue_consumer.ack_message(message)
            return
        try:
            self._failed(message, exc_info[1])
        except Exception:  # noqa: BLE001 - raising here would kill the service; the broker is the likely cause
            log.warning(
                "could not pass on a failed event of %s.%s; it goes back to its queue",
                self.container.service_name,
                self.method_name,
                exc_info=True,
                extra=self._fields(message),
            )
            self.transient_streak += 1
            self._requeue_later(message, self.policy.wait(self.transient_streak))

    def _failed(self, message: Any, error: BaseException) -> None:
        decision = decide(error, attempts_of(message.headers), self.transient_streak, self.policy)
        service, handler = self.container.service_name, self.method_name
        fields = {**self._fields(message), "error_type": type(error).__name__, "attempts": decision.attempts}
        if decision.action is Action.WAIT:
            self.transient_streak += 1
            EVENT_RETRIES.labels(service, handler, "wait").inc()
            log.warning(
                "%s.%s cannot reach what it needs; the event waits %.1f s",
                service,
                handler,
                decision.delay,
                extra={**fields, "action": "wait", "delay_s": decision.delay},
            )
            self._requeue_later(message, decision.delay)
            return
        self.transient_streak = 0
        if decision.action is Action.RETRY:
            headers = copied_headers(message.headers)
            headers[ATTEMPTS] = decision.attempts
            self._publish(message, RETRY_EXCHANGE.name, self.queue.name, headers, expiration=decision.delay)
            self.queue_consumer.ack_message(message)
            EVENT_RETRIES.labels(service, handler, "retry").inc()
            log.warning(
                "%s.%s failed on an event (attempt %d of %d); it is tried again in %.1f s",
                service,
                handler,
                decision.attempts,
                self.policy.attempts,
                decision.delay,
                extra={**fields, "action": "retry", "delay_s": decision.delay},
            )
            return
        letter = dead_letter(
            service=service,
            handler=handler,
            source_service=self.source_service,
            event_type=self.event_type,
            queue=self.queue.name,
            payload=_payload(message),
            headers=message.headers,
            attempts=decision.attempts,
            error=error,
        )
        headers = {**copied_headers(message.headers), **letter.headers()}
        self._publish(message, "", DEAD_LETTER_QUEUE.name, headers, message_id=letter.id)
        self.queue_consumer.ack_message(message)
        DEAD_LETTERS.labels(service, handler, self.event_type).inc()
        # The error's message may quote the event (names, addresses): it is kept with the
        # dead letter, for operators, and left out of the log.
        log.error(
            "%s.%s gave up on an event after %d attempts; it is in the dead-letter queue",
            service,
            handler,
            decision.attempts,
            extra={**fields, "action": "dead_letter", "dead_letter_id": letter.id},
        )

    def _publish(
        self, message: Any, exchange: str, routing_key: str, headers: dict[str, Any], **properties: Any
    ) -> None:
        self.publisher.publish(
            message.body,  # the original bytes, as they came
            exchange=exchange,
            routing_key=routing_key,
            headers=headers,
            content_type=message.content_type,
            content_encoding=message.content_encoding,
            **properties,
        )

    def _requeue_later(self, message: Any, delay: float) -> None:
        # A thread of its own, not the worker's: a pause must not hold one of the service's
        # workers (its RPCs need them); the unacknowledged message holds this queue meanwhile.
        self.container.spawn_managed_thread(
            partial(self._requeue_after, message, delay), identifier=f"{self.method_name}.requeue_later"
        )

    def _requeue_after(self, message: Any, delay: float) -> None:
        eventlet.sleep(delay)
        try:
            self.queue_consumer.requeue_message(message)
        except Exception:  # noqa: BLE001 - the channel is gone: the broker gives the message back itself
            log.info("could not requeue an event of %s; the broker will", self.method_name, exc_info=True)

    def _fields(self, message: Any) -> dict[str, Any]:
        # Nothing from the event's data: ids and names only.
        return {
            CONTEXT_KEY: current_request_id(),
            "handler": f"{self.container.service_name}.{self.method_name}",
            "source_service": self.source_service,
            "event_type": self.event_type,
            "event_id": event_id_of(_payload(message)),
        }


def _payload(message: Any) -> Any:
    try:
        return message.payload
    except Exception:  # noqa: BLE001 - a body that cannot be decoded has no event id to show
        return None


event_handler = RetryingEventHandler.decorator
