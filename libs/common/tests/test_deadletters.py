"""When a failing event is waited out, retried, or given up on; and that the original is acked only after."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest
from kombu.exceptions import OperationalError as BrokerOperationalError
from sqlalchemy.exc import OperationalError

from samverkan_common.deadletters import (
    ATTEMPTS,
    DEAD_LETTER_QUEUE,
    PREFIX,
    RETRY_EXCHANGE,
    Action,
    DeadLetter,
    RetryPolicy,
    attempts_of,
    copied_headers,
    dead_letter,
    decide,
)
from samverkan_common.errors import Invalid, Unavailable
from samverkan_common.retrying import RetryingEventHandler

POLICY = RetryPolicy(attempts=5, delay=0.5, max_delay=30.0)
DATABASE_AWAY = OperationalError("SELECT 1", {}, ConnectionRefusedError("connection refused"))


@pytest.mark.parametrize(
    "error",
    [
        DATABASE_AWAY,
        Unavailable("The service's database cannot be reached.", "DATABASE_UNAVAILABLE"),
        BrokerOperationalError("broker away"),
        ConnectionResetError("reset by peer"),
    ],
    ids=["database", "unavailable", "broker", "network"],
)
def test_an_outage_is_waited_out_and_never_dead_lettered_however_long_it_lasts(error):
    for streak in range(0, 200):
        decision = decide(error, attempts_before=POLICY.attempts + 3, transient_streak=streak, policy=POLICY)
        assert decision.action is Action.WAIT
        assert decision.attempts == POLICY.attempts + 3, "waiting for a database is not a failed attempt"
        assert 0.5 <= decision.delay <= 30.0


def test_waits_for_an_outage_double_up_to_the_longest_wait():
    delays = [decide(DATABASE_AWAY, 0, streak, POLICY).delay for streak in range(10)]
    assert delays == [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0, 30.0, 30.0]


def test_a_failing_event_is_retried_with_growing_waits_then_dead_lettered_on_the_last_attempt():
    bad_data = AttributeError("'str' object has no attribute 'get'")
    decisions = [decide(bad_data, before, 0, POLICY) for before in range(5)]

    assert [d.action for d in decisions] == [Action.RETRY] * 4 + [Action.DEAD_LETTER]
    assert [d.attempts for d in decisions] == [1, 2, 3, 4, 5]
    assert [d.delay for d in decisions[:4]] == [0.5, 1.0, 2.0, 4.0]


def test_one_attempt_means_dead_lettered_at_the_first_failure():
    assert decide(Invalid("bad", "INVALID"), 0, 0, RetryPolicy(attempts=1)).action is Action.DEAD_LETTER


def test_policy_comes_from_the_config_and_refuses_nonsense():
    config = {"EVENT_RETRY": {"ATTEMPTS": "3", "DELAY_SECONDS": "0.1", "MAX_DELAY_SECONDS": "2"}}
    assert RetryPolicy.from_config(config) == RetryPolicy(3, 0.1, 2.0)
    assert RetryPolicy.from_config({}) == RetryPolicy(5, 0.5, 30.0)
    with pytest.raises(ValueError, match="ATTEMPTS"):
        RetryPolicy.from_config({"EVENT_RETRY": {"ATTEMPTS": 0}})
    with pytest.raises(ValueError, match="MAX_DELAY_SECONDS"):
        RetryPolicy.from_config({"EVENT_RETRY": {"DELAY_SECONDS": 5, "MAX_DELAY_SECONDS": 1}})


@pytest.mark.parametrize(
    ("headers", "expected"),
    [(None, 0), ({}, 0), ({ATTEMPTS: 3}, 3), ({ATTEMPTS: "2"}, 2), ({ATTEMPTS: "x"}, 0), ({ATTEMPTS: -4}, 0)],
)
def test_the_attempt_count_is_read_from_the_header_and_garbage_counts_as_none(headers, expected):
    assert attempts_of(headers) == expected


def test_a_copy_keeps_nameko_and_our_headers_but_not_the_brokers_death_records():
    headers = {"nameko.request_id": "abc", ATTEMPTS: 2, "x-death": [{"count": 2}], "x-first-death-queue": "q"}
    assert copied_headers(headers) == {"nameko.request_id": "abc", ATTEMPTS: 2}


def test_a_dead_letter_travels_in_headers_and_reads_back_the_same():
    letter = dead_letter(
        service="notifier",
        handler="on_meeting_scheduled",
        source_service="events",
        event_type="meeting_scheduled",
        queue="evt-events-meeting_scheduled--notifier.on_meeting_scheduled",
        payload={"event_id": "e-1", "data": "kaputt"},
        headers={"samverkan-replays": 1},
        attempts=5,
        error=AttributeError("x" * 2000),
    )
    assert letter.event_id == "e-1"
    assert letter.error_type == "AttributeError"
    assert len(letter.error) == 500
    assert letter.replays == 1
    # As RabbitMQ hands headers back to a reader: strings may come as bytes.
    raw = {key: value.encode() if isinstance(value, str) else value for key, value in letter.headers().items()}
    assert DeadLetter.from_message(letter.id, raw) == letter


class FakeConsumer:
    def __init__(self, log: list[tuple[str, Any]]) -> None:
        self.log = log

    def ack_message(self, message: Any) -> None:
        self.log.append(("ack", message.delivery_tag))

    def requeue_message(self, message: Any) -> None:
        self.log.append(("requeue", message.delivery_tag))


class FakePublisher:
    def __init__(self, log: list[tuple[str, Any]], fails: bool = False) -> None:
        self.log = log
        self.fails = fails

    def publish(self, body: bytes, **kwargs: Any) -> None:
        if self.fails:
            raise BrokerOperationalError("broker away")
        self.log.append(("publish", {"body": body, **kwargs}))


def handler(log: list[tuple[str, Any]], fails: bool = False) -> RetryingEventHandler:
    """A handler bound by hand: the decision and the order of publish and ack, without a broker."""
    made = RetryingEventHandler("events", "meeting_scheduled")
    made.container = SimpleNamespace(  # type: ignore[assignment]
        service_name="notifier", spawn_managed_thread=lambda fn, identifier=None: log.append(("later", identifier))
    )
    made.method_name = "on_meeting_scheduled"
    made.queue = SimpleNamespace(name="evt-events-meeting_scheduled--notifier.on_meeting_scheduled")
    made.policy = POLICY
    made.publisher = FakePublisher(log, fails)  # type: ignore[assignment]
    made.queue_consumer = FakeConsumer(log)  # type: ignore[assignment]
    made.transient_streak = 0
    return made


def message(attempts: int | None = None) -> SimpleNamespace:
    body = {"event_id": "e-1", "type": "meeting_scheduled", "data": "kaputt"}
    headers: dict[str, Any] = {"nameko.request_id": "r-1"}
    if attempts is not None:
        headers[ATTEMPTS] = attempts
    return SimpleNamespace(
        body=json.dumps(body).encode(),
        payload=body,
        headers=headers,
        content_type="application/json",
        content_encoding="utf-8",
        delivery_tag=7,
    )


def failed(error: BaseException) -> tuple[type[BaseException], BaseException, None]:
    return (type(error), error, None)


def test_the_requeue_on_error_of_nameko_is_always_off():
    assert RetryingEventHandler("events", "x", requeue_on_error=True).requeue_on_error is False


def test_a_handled_event_is_acknowledged():
    log: list[tuple[str, Any]] = []
    handler(log).handle_message_processed(message(), result=None, exc_info=None)
    assert log == [("ack", 7)]


def test_a_failure_sends_a_counted_copy_through_the_retry_queue_before_acking_the_original():
    log: list[tuple[str, Any]] = []
    handler(log).handle_message_processed(message(attempts=1), exc_info=failed(AttributeError("no get")))

    assert [entry[0] for entry in log] == ["publish", "ack"]
    published = log[0][1]
    assert published["exchange"] == RETRY_EXCHANGE.name
    assert published["routing_key"] == "evt-events-meeting_scheduled--notifier.on_meeting_scheduled"
    assert published["headers"] == {"nameko.request_id": "r-1", ATTEMPTS: 2}
    assert published["expiration"] == 1.0
    assert published["body"] == message().body


def test_the_last_failure_parks_the_original_body_in_the_dead_letter_queue_then_acks():
    log: list[tuple[str, Any]] = []
    handler(log).handle_message_processed(message(attempts=4), exc_info=failed(AttributeError("no get")))

    assert [entry[0] for entry in log] == ["publish", "ack"]
    published = log[0][1]
    assert published["routing_key"] == DEAD_LETTER_QUEUE.name
    assert published["body"] == message().body
    letter = DeadLetter.from_message(published["message_id"], published["headers"])
    assert (letter.service, letter.handler, letter.event_type, letter.attempts) == (
        "notifier",
        "on_meeting_scheduled",
        "meeting_scheduled",
        5,
    )
    assert (letter.error_type, letter.error, letter.event_id) == ("AttributeError", "no get", "e-1")
    assert published["headers"]["nameko.request_id"] == "r-1"
    assert all(key.startswith((PREFIX, "nameko.", ATTEMPTS)) for key in published["headers"])


def test_a_database_away_puts_the_event_back_later_without_acking_or_publishing():
    log: list[tuple[str, Any]] = []
    made = handler(log)
    made.handle_message_processed(message(attempts=4), exc_info=failed(DATABASE_AWAY))
    assert log == [("later", "on_meeting_scheduled.requeue_later")]
    assert made.transient_streak == 1


def test_when_the_broker_refuses_the_copy_the_original_is_not_acked_but_comes_back_later():
    log: list[tuple[str, Any]] = []
    handler(log, fails=True).handle_message_processed(message(attempts=4), exc_info=failed(AttributeError("x")))
    assert log == [("later", "on_meeting_scheduled.requeue_later")]
