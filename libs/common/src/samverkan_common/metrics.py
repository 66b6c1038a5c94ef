"""Prometheus metrics of the nameko services, and the request id each worker runs under.

A service declares ``observability = Observability()``. Then every worker
(an RPC or an event handler) runs with the request id that came in its nameko
context data, is timed per service, method and outcome, and leaves one log
line. With ``METRICS_PORT`` set (0 = off, the local default) the process
serves ``/metrics`` on that port: prometheus_client's server thread is an
ordinary thread, which eventlet's monkey patch turns into a green one.
Outbox backlog and RabbitMQ queue depth are measured when Prometheus scrapes,
so nothing polls between scrapes.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from kombu import Connection
from nameko.events import EventHandler
from nameko.extensions import DependencyProvider
from nameko.rpc import Rpc
from prometheus_client import REGISTRY, Counter, Histogram, start_http_server
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import Engine, Table, func, select

from .logs import CONTEXT_KEY, bind_request_id, current_request_id, unbind_request_id, valid_request_id

log = logging.getLogger(__name__)

WORKER_SECONDS = Histogram(
    "samverkan_worker_duration_seconds",
    "Time a service took to handle an RPC or an event, by service, kind, method and outcome.",
    ["service", "kind", "method", "outcome"],
)
NOTIFICATIONS = Counter(
    "samverkan_notifications_total",
    "Notifications the notifier tried to send, by outcome (sent, failed).",
    ["outcome"],
)
FEED_MEETINGS_LEFT_OUT = Counter(
    "samverkan_feed_meetings_left_out_total",
    "Meetings left out of an iCalendar feed because they could not be rendered, by error class.",
    ["error"],
)


def count_deliveries(outcomes: Mapping[str, str | None]) -> Mapping[str, str | None]:
    """Count a round of deliveries (id -> None when sent, else the error) and hand the outcomes back."""
    sent = sum(1 for error in outcomes.values() if error is None)
    NOTIFICATIONS.labels("sent").inc(sent)
    NOTIFICATIONS.labels("failed").inc(len(outcomes) - sent)
    return outcomes


class _Watched(Collector):
    """Gauges read at scrape time from every running service in this process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.outboxes: dict[str, tuple[Engine, Table]] = {}
        self.queues: dict[str, tuple[str, Any]] = {}

    def collect(self) -> Iterator[GaugeMetricFamily]:
        with self._lock:
            outboxes, queues = dict(self.outboxes), dict(self.queues)
        backlog = GaugeMetricFamily(
            "samverkan_outbox_backlog", "Committed events not yet published to RabbitMQ.", labels=["service"]
        )
        age = GaugeMetricFamily(
            "samverkan_outbox_oldest_age_seconds",
            "Age of the oldest unpublished event (0 when none waits).",
            labels=["service"],
        )
        parked = GaugeMetricFamily(
            "samverkan_outbox_parked",
            "Events parked in the outbox after failing to publish too often (they wait for an operator).",
            labels=["service"],
        )
        for service, (engine, table) in sorted(outboxes.items()):
            try:
                count, oldest = outbox_backlog(engine, table)
                parked_now = outbox_parked(engine, table)
            except Exception:  # noqa: BLE001 - a database away must not break the scrape
                log.warning("could not read the outbox backlog of %s", service, exc_info=True)
                continue
            backlog.add_metric([service], count)
            age.add_metric([service], (datetime.now(UTC) - oldest).total_seconds() if oldest else 0.0)
            parked.add_metric([service], parked_now)
        yield backlog
        yield age
        yield parked
        depth = GaugeMetricFamily(
            "samverkan_queue_messages", "Messages ready in a service's RabbitMQ queue.", labels=["service", "queue"]
        )
        for service, (amqp_uri, container) in sorted(queues.items()):
            try:
                for queue, count in queue_depths(amqp_uri, queue_names(container)):
                    depth.add_metric([service, queue], count)
            except Exception:  # noqa: BLE001 - the broker away must not break the scrape
                log.warning("could not read the queue depths of %s", service, exc_info=True)
        yield depth


WATCHED = _Watched()
REGISTRY.register(WATCHED)

_served: dict[int, Any] = {}
_serve_lock = threading.Lock()


def serve_metrics(port: int, addr: str = "0.0.0.0") -> None:  # noqa: S104 - scraped from inside the cluster
    """Serve ``/metrics`` on ``port`` once per process."""
    with _serve_lock:
        if port not in _served:
            _served[port] = start_http_server(port, addr)


def watch_outbox(service: str, engine: Engine, outbox: Table) -> None:
    with WATCHED._lock:
        WATCHED.outboxes[service] = (engine, outbox)


def unwatch_outbox(service: str) -> None:
    with WATCHED._lock:
        WATCHED.outboxes.pop(service, None)


def outbox_backlog(engine: Engine, outbox: Table) -> tuple[int, datetime | None]:
    """How many events wait to be published (parked ones aside), and when the oldest was committed."""
    with engine.connect() as connection:
        count, oldest = connection.execute(
            select(func.count(), func.min(outbox.c.created_at)).where(
                outbox.c.published_at.is_(None), outbox.c.parked_at.is_(None)
            )
        ).one()
    if oldest is not None and oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=UTC)  # SQLite keeps no zone; we store UTC
    return int(count), oldest


def outbox_parked(engine: Engine, outbox: Table) -> int:
    """How many events are parked (see samverkan_common.outbox)."""
    with engine.connect() as connection:
        return int(
            connection.execute(
                select(func.count()).select_from(outbox).where(outbox.c.parked_at.is_not(None))
            ).scalar_one()
        )


def queue_names(container: Any) -> list[str]:
    """The queues this service consumes: its RPC queue and one per event handler."""
    names = set()
    for entrypoint in container.entrypoints:
        if isinstance(entrypoint, Rpc):
            queue = entrypoint.rpc_consumer.queue
        elif isinstance(entrypoint, EventHandler):
            queue = getattr(entrypoint, "queue", None)
        else:
            queue = None
        if queue is not None:
            names.add(queue.name)
    return sorted(names)


def queue_depths(amqp_uri: str, names: list[str]) -> list[tuple[str, int]]:
    """Messages ready in each queue (a passive declare: nothing is created)."""
    depths = []
    with Connection(amqp_uri, connect_timeout=2) as connection:
        channel = connection.channel()
        for name in names:
            declared = channel.queue_declare(name, passive=True)
            depths.append((name, int(declared.message_count)))
    return depths


def _kind(entrypoint: Any) -> str:
    if isinstance(entrypoint, Rpc):
        return "rpc"
    if isinstance(entrypoint, EventHandler):
        return "event"
    return type(entrypoint).__name__.lower()


class Observability(DependencyProvider):
    """Request id, timing and a log line for every worker; ``/metrics`` on ``METRICS_PORT``."""

    def __init__(self) -> None:
        self._workers: dict[Any, tuple[Any, float]] = {}

    def setup(self) -> None:
        self.service = self.container.service_name
        port = int(self.container.config.get("METRICS_PORT") or 0)
        if port:
            serve_metrics(port)
        with WATCHED._lock:
            WATCHED.queues[self.service] = (self.container.config["AMQP_URI"], self.container)

    def stop(self) -> None:
        with WATCHED._lock:
            WATCHED.queues.pop(self.service, None)

    def kill(self) -> None:
        self.stop()

    def get_dependency(self, worker_ctx: Any) -> None:
        return None

    def worker_setup(self, worker_ctx: Any) -> None:
        request_id = valid_request_id(worker_ctx.data.get(CONTEXT_KEY))
        self._workers[worker_ctx] = (bind_request_id(request_id), time.perf_counter())

    def worker_result(self, worker_ctx: Any, result: Any = None, exc_info: Any = None) -> None:
        started = self._workers.get(worker_ctx, (None, time.perf_counter()))[1]
        elapsed = time.perf_counter() - started
        entrypoint = worker_ctx.entrypoint
        if exc_info is None:
            outcome = "ok"
        elif isinstance(exc_info[1], entrypoint.expected_exceptions):
            outcome = "refused"  # one of our shared errors: an answer, not a failure
        else:
            outcome = "error"
        kind, method = _kind(entrypoint), entrypoint.method_name
        WORKER_SECONDS.labels(self.service, kind, method, outcome).observe(elapsed)
        log.info(
            "handled %s %s.%s",
            kind,
            self.service,
            method,
            extra={
                # On the record itself, so that a handler formatting it later, elsewhere, still has it.
                CONTEXT_KEY: current_request_id(),
                "kind": kind,
                "method": method,
                "outcome": outcome,
                "duration_ms": round(elapsed * 1000, 2),
            },
        )

    def worker_teardown(self, worker_ctx: Any) -> None:
        token, _started = self._workers.pop(worker_ctx, (None, 0.0))
        if token is not None:
            unbind_request_id(token)
