"""The gateway's copy of each feed, trusted while the events that would change it are heard.

Calendar apps poll the same feeds over and over, and almost every poll finds
nothing new. So the gateway keeps each feed's bytes, ETag and Last-Modified and
answers a poll (200 or 304) from memory, without a call to the events service,
as long as all of these hold:

- a :class:`FeedWatcher` is listening to the events that change feeds
  (``events.events``: meetings, registrations, forums; ``registry.events``:
  memberships), on a queue of its own;
- no such event arrived since the copy was taken (a *generation* counter moves
  on each one, and on every reconnect, since events may have been missed meanwhile);
- no write went through this gateway process since (its routes move the
  counter too, so whoever changed a meeting reads the change back at once);
- the copy is younger than ``FEED_CACHE_TRUST_SECONDS`` (default 60): a bound on
  what no event announces, such as a cancelled meeting leaving the feeds after 30 days.

A personal feed is never answered from memory alone: its secret link can be
replaced or revoked, which no event announces, and must stop working at once.

Otherwise the gateway asks the service, telling it the ETag it holds; the
service answers from a cheap fingerprint query and sends the body only when the
feed really changed. When the broker is away nothing is trusted and every poll
asks the service.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pika
from pika.exceptions import AMQPError

log = logging.getLogger(__name__)

# (exchange, routing key): the facts after which a feed may read differently.
FEED_EVENTS = (
    ("events.events", "forum_created"),
    ("events.events", "meeting_scheduled"),
    ("events.events", "meeting_updated"),
    ("events.events", "meeting_cancelled"),
    ("events.events", "registration_confirmed"),
    ("events.events", "registration_waitlisted"),
    ("events.events", "registration_cancelled"),
    ("registry.events", "membership_changed"),
)
RECONNECT_SECONDS = 2.0


@dataclass(frozen=True)
class CachedFeed:
    etag: str
    last_modified: datetime
    body: bytes
    generation: int
    checked_at: float  # time.monotonic() when the service last confirmed it


class FeedBytes:
    """A bounded, thread-safe map of feed key to its newest copy."""

    def __init__(self, max_bytes: int = 64 * 1024 * 1024):
        self.max_bytes = max_bytes
        self._feeds: OrderedDict[str, CachedFeed] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> CachedFeed | None:
        with self._lock:
            cached = self._feeds.get(key)
            if cached is not None:
                self._feeds.move_to_end(key)
            return cached

    def put(self, key: str, feed: CachedFeed) -> None:
        with self._lock:
            previous = self._feeds.pop(key, None)
            if previous is not None:
                self._size -= len(previous.body)
            self._feeds[key] = feed
            self._size += len(feed.body)
            while self._size > self.max_bytes and len(self._feeds) > 1:
                _, dropped = self._feeds.popitem(last=False)
                self._size -= len(dropped.body)


# The facts after which an organisation reads differently (its public page, GET /organisations/<id>).
ORGANISATION_EVENTS = tuple(
    ("registry.events", routing_key)
    for routing_key in (
        "organisation_registered",
        "organisation_updated",
        "organisation_dissolved",
        "organisation_signed",
        "organisation_withdrew",
        "membership_changed",
        "organisations_imported",
    )
)


def organisation_ids(event: dict[str, Any]) -> list[str]:
    """The organisations an ORGANISATION_EVENTS event names: one, or every one a batch of an import touched."""
    data = event["data"]
    if event.get("type") == "organisations_imported":
        return [str(each["organisation_id"]) for part in ("registered", "updated") for each in data[part]]
    return [str(data["organisation_id"])]


class ReadCopies:
    """A bounded, thread-safe map of key to (value, generation, checked_at): copies of other reads."""

    def __init__(self, max_entries: int):
        self.max_entries = max_entries
        self._copies: OrderedDict[str, tuple[Any, int, float]] = OrderedDict()
        self._evictions = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> tuple[Any, int, float] | None:
        with self._lock:
            copy = self._copies.get(key)
            if copy is not None:
                self._copies.move_to_end(key)
            return copy

    @property
    def evictions(self) -> int:
        """Raised by every eviction: read it before a load, and pass it to :meth:`put`."""
        return self._evictions

    def evict(self, key: str) -> None:
        with self._lock:
            self._evictions += 1
            self._copies.pop(key, None)

    def evict_all(self, keys: list[str]) -> None:
        with self._lock:
            self._evictions += 1
            for key in keys:
                self._copies.pop(key, None)

    def put(self, key: str, value: Any, generation: int, evictions: int | None = None) -> None:
        """Keep ``value``, unless an eviction happened since ``evictions`` was read (the load raced it)."""
        with self._lock:
            if evictions is not None and evictions != self._evictions:
                return
            self._copies[key] = (value, generation, time.monotonic())
            self._copies.move_to_end(key)
            while len(self._copies) > self.max_entries:
                self._copies.popitem(last=False)


class FeedWatcher:
    """Counts the events that change a kind of copy (feeds by default), from a daemon thread of its own."""

    def __init__(
        self,
        amqp_url: str,
        bindings: tuple[tuple[str, str], ...] = FEED_EVENTS,
        name: str = "feed-watcher",
        on_event: Callable[[dict[str, Any]], None] | None = None,
    ):
        """``on_event``, when given, handles each event instead of distrusting every copy."""
        self.amqp_url = amqp_url
        self.bindings = bindings
        self.name = name
        self.on_event = on_event
        self.generation = 0
        self.listening = False
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start listening once per process (after gunicorn's fork, on the first feed request)."""
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._listen_forever, name=self.name, daemon=True)
                self._thread.start()

    def changed(self) -> None:
        """Something changed: no copy taken before now is trusted any more."""
        with self._lock:
            self.generation += 1

    def trusts(self, feed: CachedFeed, max_age: float) -> bool:
        return self.fresh(feed.generation, feed.checked_at, max_age)

    def fresh(self, generation: int, checked_at: float, max_age: float) -> bool:
        """A copy taken at ``generation`` is current: listening, no event since, and young enough."""
        return self.listening and generation == self.generation and time.monotonic() - checked_at < max_age

    def _listen_forever(self) -> None:
        while True:
            try:
                self._listen()
            except (AMQPError, OSError) as error:
                log.info("%s not listening (%s); copies are checked with the service meanwhile", self.name, error)
            except Exception:  # noqa: BLE001 - a watcher that dies would leave the cache trusted
                log.warning("%s failed", self.name, exc_info=True)
            finally:
                self.listening = False
                self.changed()
            time.sleep(RECONNECT_SECONDS)

    def _listen(self) -> None:
        parameters = pika.URLParameters(self.amqp_url)
        parameters.heartbeat = 30
        parameters.socket_timeout = 2
        connection = pika.BlockingConnection(parameters)
        try:
            channel = connection.channel()
            for exchange in sorted({exchange for exchange, _ in self.bindings}):
                # The same declaration the services make: whoever comes first creates it.
                channel.exchange_declare(exchange, exchange_type="topic", durable=True)
            queue = channel.queue_declare("", exclusive=True, auto_delete=True).method.queue
            for exchange, routing_key in self.bindings:
                channel.queue_bind(queue, exchange, routing_key=routing_key)
            channel.basic_consume(queue, self._on_event, auto_ack=True)
            self.changed()  # events may have passed while nobody listened
            self.listening = True
            while connection.is_open:
                connection.process_data_events(time_limit=1)
        finally:
            self.listening = False
            if connection.is_open:
                connection.close()

    def _on_event(self, _channel: Any, _method: Any, _properties: Any, body: bytes) -> None:
        if self.on_event is None:
            self.changed()
            return
        try:
            self.on_event(json.loads(body))
        except (ValueError, KeyError, TypeError):
            self.changed()  # an event we cannot read: trust no copy rather than a wrong one
