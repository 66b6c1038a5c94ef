"""A small nameko-compatible RPC client on pika, pooled for Flask's threads.

It speaks nameko's wire protocol (topic exchange ``nameko-rpc``, routing key
``<service>.<method>``, JSON ``{"args", "kwargs"}``, reply routed back to our
exclusive queue by ``reply_to``). One client holds one connection and one
reply queue and is used by one thread at a time; the pool hands them out and
keeps them for reuse, so no request pays for a new connection.
"""

from __future__ import annotations

import json
import logging
import queue
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pika
from pika.exceptions import AMQPError

from samverkan_common.errors import REMOTE_ERRORS, SamverkanError
from samverkan_common.logs import CONTEXT_KEY, current_request_id

from .observability import RPC_SECONDS

log = logging.getLogger(__name__)

RPC_EXCHANGE = "nameko-rpc"


class RpcTimeout(Exception):
    """The service did not answer within the deadline."""


class BrokerUnavailable(Exception):
    """RabbitMQ cannot be reached, or no service consumes the request."""


class NotSent(Exception):
    """Publishing failed, so the request certainly never reached a service."""

    def __init__(self, cause: Exception):
        super().__init__(str(cause) or type(cause).__name__)


class RemoteFailure(Exception):
    """The service failed in a way that is not one of the shared errors."""

    def __init__(self, exc_type: str, value: str):
        super().__init__(f"{exc_type}: {value}")
        self.exc_type = exc_type


def remote_exception(error: dict[str, Any]) -> Exception:
    """Rebuild a shared error from nameko's serialised form; anything else is a RemoteFailure."""
    cls = REMOTE_ERRORS.get(error.get("exc_type", ""))
    path = error.get("exc_path", "")
    if cls is not None and path.startswith("samverkan_common.errors."):
        rebuilt: Exception = cls(*error.get("exc_args", []))
        return rebuilt
    return RemoteFailure(error.get("exc_type", "Exception"), error.get("value", ""))


class RpcClient:
    """One connection and one reply queue; not thread-safe (the pool sees to that)."""

    def __init__(self, amqp_url: str):
        parameters = pika.URLParameters(amqp_url)
        parameters.heartbeat = 0  # idle in the pool between requests; failures are caught on use
        parameters.blocked_connection_timeout = 5
        parameters.socket_timeout = 2
        self.connection = pika.BlockingConnection(parameters)
        self.channel = self.connection.channel()
        self.channel.exchange_declare(RPC_EXCHANGE, exchange_type="topic", durable=True)
        declared = self.channel.queue_declare("", exclusive=True, auto_delete=True)
        self.reply_queue = declared.method.queue
        self.channel.queue_bind(self.reply_queue, RPC_EXCHANGE, routing_key=self.reply_queue)
        self.channel.basic_consume(self.reply_queue, self._on_reply, auto_ack=True)
        self.channel.add_on_return_callback(self._on_return)
        self._replies: dict[str, dict[str, Any]] = {}
        self._returned: set[str] = set()

    def call(self, service: str, method: str, *args: Any, timeout: float = 5.0, **kwargs: Any) -> Any:
        correlation_id = str(uuid.uuid4())
        try:
            self._publish(service, method, args, kwargs, correlation_id, timeout)
        except (AMQPError, OSError) as error:
            raise NotSent(error) from error
        deadline = time.monotonic() + timeout
        while correlation_id not in self._replies:
            if correlation_id in self._returned:
                self._returned.discard(correlation_id)
                raise BrokerUnavailable(f"no {service} service is listening")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise RpcTimeout(f"{service}.{method} did not answer within {timeout} s")
            self.connection.process_data_events(time_limit=min(remaining, 0.25))
        reply = self._replies.pop(correlation_id)
        if reply.get("error"):
            raise remote_exception(reply["error"])
        return reply.get("result")

    def alive(self) -> bool:
        """Poll the socket without waiting: a connection the broker dropped shows up here."""
        try:
            self.connection.process_data_events(time_limit=0)
        except (AMQPError, OSError):
            return False
        return bool(self.connection.is_open and self.channel.is_open)

    def _publish(self, service: str, method: str, args: Any, kwargs: Any, correlation_id: str, timeout: float) -> None:
        self.channel.basic_publish(
            RPC_EXCHANGE,
            f"{service}.{method}",
            json.dumps({"args": args, "kwargs": kwargs}).encode("utf-8"),
            pika.BasicProperties(
                content_type="application/json",
                content_encoding="utf-8",
                reply_to=self.reply_queue,
                correlation_id=correlation_id,
                # A request nobody took in time is dropped rather than answered late.
                expiration=str(max(1, int(timeout * 1000))),
                headers=self._context(method, correlation_id),
            ),
            mandatory=True,
        )

    @staticmethod
    def _context(method: str, correlation_id: str) -> dict[str, Any]:
        """nameko's context data as headers; nameko passes ``nameko.request_id`` on to every later call and event."""
        headers: dict[str, Any] = {"nameko.call_id_stack": [f"gateway.{method}.{correlation_id}"]}
        request_id = current_request_id()
        if request_id:
            headers[f"nameko.{CONTEXT_KEY}"] = request_id
        return headers

    def close(self) -> None:
        try:
            if self.connection.is_open:
                self.connection.close()
        except AMQPError:
            pass

    def _on_reply(self, _channel: Any, _method: Any, properties: Any, body: bytes) -> None:
        # Replies to calls that already timed out carry unknown ids and are dropped here,
        # so a late reply can never answer a different request.
        self._replies[properties.correlation_id] = json.loads(body)
        stale = [key for key in self._replies if key != properties.correlation_id]
        for key in stale:
            del self._replies[key]

    def _on_return(self, _channel: Any, _method: Any, properties: Any, _body: bytes) -> None:
        self._returned.add(properties.correlation_id)


class RpcPool:
    """Clients created on first need and reused; a broken client is closed, not returned."""

    def __init__(self, amqp_url: str, timeout: float = 5.0, max_idle: int = 16):
        self.amqp_url = amqp_url
        self.timeout = timeout
        self._idle: queue.LifoQueue[RpcClient] = queue.LifoQueue(maxsize=max_idle)

    @contextmanager
    def client(self) -> Iterator[RpcClient]:
        client = self._idle_client() or self._connect()
        try:
            yield client
        except (AMQPError, OSError, NotSent, RpcTimeout):
            # A timed-out client may still receive the late reply; start the next call clean.
            client.close()
            raise
        except BaseException:
            self._give_back(client)
            raise
        else:
            self._give_back(client)

    def call(self, service: str, method: str, *args: Any, timeout: float | None = None, **kwargs: Any) -> Any:
        """Call ``service.method``; a stale pooled connection is replaced once, transparently."""
        started, outcome = time.perf_counter(), "error"
        try:
            result = self._call(service, method, *args, timeout=timeout, **kwargs)
            outcome = "ok"
            return result
        except SamverkanError:
            outcome = "refused"  # a shared error is the service's answer
            raise
        except RpcTimeout:
            outcome = "timeout"
            raise
        except BrokerUnavailable:
            outcome = "unavailable"
            raise
        finally:
            RPC_SECONDS.labels(service, method, outcome).observe(time.perf_counter() - started)

    def _call(self, service: str, method: str, *args: Any, timeout: float | None = None, **kwargs: Any) -> Any:
        timeout = self.timeout if timeout is None else timeout
        try:
            with self.client() as client:
                return client.call(service, method, *args, timeout=timeout, **kwargs)
        except NotSent:
            pass  # a connection that died while idle; the request never left, so retrying is safe
        except (AMQPError, OSError) as error:
            raise BrokerUnavailable(str(error) or type(error).__name__) from error
        try:
            with self.client() as client:
                return client.call(service, method, *args, timeout=timeout, **kwargs)
        except (NotSent, AMQPError, OSError) as error:
            raise BrokerUnavailable(str(error) or type(error).__name__) from error

    def close(self) -> None:
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                return

    def _idle_client(self) -> RpcClient | None:
        while True:
            try:
                client = self._idle.get_nowait()
            except queue.Empty:
                return None
            if client.alive():
                return client
            client.close()

    def _connect(self) -> RpcClient:
        try:
            return RpcClient(self.amqp_url)
        except (AMQPError, OSError) as error:
            raise BrokerUnavailable(str(error) or type(error).__name__) from error

    def _give_back(self, client: RpcClient) -> None:
        try:
            self._idle.put_nowait(client)
        except queue.Full:
            client.close()


__all__ = ["BrokerUnavailable", "RemoteFailure", "RpcPool", "RpcTimeout", "SamverkanError"]
