"""The gateway's RPC client against real nameko services on a real broker."""

from __future__ import annotations

import eventlet
import pytest
from nameko.rpc import rpc

from samverkan_common.errors import NotFound
from samverkan_gateway.rpc import BrokerUnavailable, RpcPool, RpcTimeout

pytestmark = pytest.mark.integration


class Clock:
    name = "clock"

    @rpc
    def echo(self, value):
        return value

    @rpc
    def slow_echo(self, value, seconds):
        eventlet.sleep(seconds)
        return value

    @rpc
    def missing(self):
        raise NotFound("There is no such thing.", "THING_NOT_FOUND")


@pytest.fixture
def pool(container_factory, rabbit_config):
    container_factory(Clock, rabbit_config).start()
    pika_uri = rabbit_config["AMQP_URI"].replace("pyamqp://", "amqp://", 1)
    made = RpcPool(pika_uri, timeout=2)
    yield made
    made.close()


def test_call_returns_the_services_answer(pool):
    assert pool.call("clock", "echo", "hej") == "hej"


def test_shared_error_arrives_with_its_code(pool):
    with pytest.raises(NotFound) as missing:
        pool.call("clock", "missing")
    assert missing.value.code == "THING_NOT_FOUND"


def test_timeout_is_reported_and_the_late_reply_answers_no_other_request(pool):
    with pytest.raises(RpcTimeout):
        pool.call("clock", "slow_echo", "late", 1.0, timeout=0.3)

    # The late reply to "late" must not become the answer to the next call.
    assert pool.call("clock", "slow_echo", "on time", 1.2, timeout=3) == "on time"
    assert pool.call("clock", "echo", "next") == "next"


def test_no_service_listening_is_unavailable_at_once(pool):
    with pytest.raises(BrokerUnavailable):
        pool.call("nobody", "echo", "hej", timeout=3)
