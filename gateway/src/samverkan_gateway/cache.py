"""Reads many people repeat, kept in the gateway and emptied by the services' own events.

A feed polled by every calendar app, a public organisation page: answering
them from memory saves an RPC (about two thirds of a read's time). An entry
carries tags (``feed:forum:ros-gruppen``); a background thread listens to the
services' event exchanges and drops every entry whose tags an event names.
While that listener is not connected the cache is bypassed, since an
invalidation could be missed; on reconnecting it starts empty. A time-to-live
bounds staleness even if something still slips through.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import pika
from pika.exceptions import AMQPError

log = logging.getLogger(__name__)

TagsOf = Callable[[dict[str, Any]], Iterable[str]]


@dataclass
class _Entry:
    value: Any
    tags: frozenset[str]
    expires: float


class EventCache:
    def __init__(
        self,
        amqp_url: str,
        exchanges: Iterable[str],
        tags_of: TagsOf,
        ttl: float = 300.0,
        max_entries: int = 2_000,
    ):
        self.amqp_url = amqp_url
        self.exchanges = tuple(exchanges)
        self.tags_of = tags_of
        self.ttl = ttl
        self.max_entries = max_entries
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._lock = threading.Lock()
        self._epoch = 0  # raised on every eviction, so a load that raced one is not stored
        self._listening = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    # -- reading -----------------------------------------------------------------------------

    def get_or_load(self, key: str, tags: Iterable[str], load: Callable[[], Any]) -> Any:
        """The cached value of ``key``, or ``load()``'s, stored if no event intervened."""
        if not self._listening.is_set():
            return load()
        now = time.monotonic()
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry.expires > now:
                self._entries.move_to_end(key)
                return entry.value
            epoch = self._epoch
        value = load()
        with self._lock:
            if epoch == self._epoch and self._listening.is_set():
                self._entries[key] = _Entry(value, frozenset(tags), now + self.ttl)
                self._entries.move_to_end(key)
                while len(self._entries) > self.max_entries:
                    self._entries.popitem(last=False)
        return value

    def evict(self, tags: Iterable[str]) -> None:
        wanted = set(tags)
        with self._lock:
            self._epoch += 1
            for key in [key for key, entry in self._entries.items() if entry.tags & wanted]:
                del self._entries[key]

    def clear(self) -> None:
        with self._lock:
            self._epoch += 1
            self._entries.clear()

    @property
    def listening(self) -> bool:
        return self._listening.is_set()

    # -- listening ---------------------------------------------------------------------------

    def start(self) -> None:
        self._thread = threading.Thread(target=self._listen_forever, name="event-cache", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()

    def wait_until_listening(self, timeout: float) -> bool:
        return self._listening.wait(timeout)

    def _listen_forever(self) -> None:
        delay = 0.5
        while not self._stopping.is_set():
            try:
                self._listen()
                delay = 0.5
            except (AMQPError, OSError) as error:
                log.info("event cache not listening (%s); retrying in %.1f s", type(error).__name__, delay)
            finally:
                self._listening.clear()
                self.clear()
            self._stopping.wait(delay)
            delay = min(delay * 2, 10.0)

    def _listen(self) -> None:
        parameters = pika.URLParameters(self.amqp_url)
        parameters.heartbeat = 30
        connection = pika.BlockingConnection(parameters)
        try:
            channel = connection.channel()
            queue = channel.queue_declare("", exclusive=True, auto_delete=True).method.queue
            for exchange in self.exchanges:
                channel.exchange_declare(exchange, exchange_type="topic", durable=True)
                channel.queue_bind(queue, exchange, routing_key="#")
            channel.basic_consume(queue, self._on_event, auto_ack=True)
            self.clear()
            self._listening.set()
            while not self._stopping.is_set():
                connection.process_data_events(time_limit=1)
        finally:
            if connection.is_open:
                connection.close()

    def _on_event(self, _channel: Any, _method: Any, _properties: Any, body: bytes) -> None:
        try:
            event = json.loads(body)
            tags = set(self.tags_of(event))
        except (ValueError, KeyError, TypeError):
            log.warning("event cache could not read an event; clearing everything to stay correct")
            self.clear()
            return
        if tags:
            self.evict(tags)


# The exchanges the gateway listens to, and what each event makes stale.
EXCHANGES = ("registry.events", "events.events")


def tags_of_event(event: dict[str, Any]) -> set[str]:
    """Which cached reads an event makes stale.

    Any change to a meeting or to who sits in a forum may change every feed, so
    all feeds go; they are rebuilt cheaply from the service's per-meeting cache.
    """
    data = event.get("data") or {}
    tags: set[str] = set()
    if "meeting_id" in data or event.get("type") in {"forum_created", "membership_changed"}:
        tags.add("feeds")
    if "meeting_id" in data:
        tags.add(f"meeting:{data['meeting_id']}")
    if "organisation_id" in data:
        tags |= {f"organisation:{data['organisation_id']}", "organisations"}
    return tags
