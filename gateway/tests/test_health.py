"""Readiness is the gateway's own broker and database; the services' health is /status and /metrics."""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest

from samverkan_common.db import make_engine
from samverkan_gateway.rpc import BrokerUnavailable, RpcTimeout


class FakePool:
    """The RPC pool: a broker connection that works, and services that answer `health` unless away."""

    def __init__(self, away: set[str] = frozenset(), broker: bool = True):
        self.away = set(away)
        self.broker = broker

    @contextmanager
    def client(self):
        if not self.broker:
            raise BrokerUnavailable("connection refused")
        yield object()

    def call(self, service, method, *args, timeout=None, **kwargs):
        assert method == "health"
        if service in self.away:
            raise RpcTimeout(f"{service}.health did not answer within {timeout} s")
        return {"name": service, "version": "1.0", "database_reachable": True}


@pytest.fixture
def pool(app):
    app.extensions["rpc"] = FakePool(away={"notifier"})
    return app.extensions["rpc"]


def test_the_gateway_is_ready_while_a_service_is_away(client, pool):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.get_json() == {"status": "ready", "broker": {"ready": True}, "database": {"ready": True}}


def test_the_gateway_is_not_ready_without_its_own_database(app, client, pool):
    app.extensions["samverkan_db"] = make_engine("sqlite:////nonexistent/folder/gateway.db")

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.get_json()["database"]["ready"] is False
    assert response.get_json()["broker"]["ready"] is True


def test_the_gateway_is_not_ready_without_its_broker_connection(client, pool):
    pool.broker = False

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.get_json()["broker"] == {"ready": False, "reason": "broker not reachable: connection refused"}


def test_status_names_the_service_that_is_away_and_the_others_up(client, pool):
    response = client.get("/status")

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["status"] == "degraded"
    assert body["away"] == ["notifier"]
    assert body["services"]["notifier"]["status"] == "away"
    assert body["services"]["notifier"]["reason"] == "RpcTimeout"
    assert {body["services"][name]["status"] for name in ("registry", "events", "levels_advisor")} == {"up"}
    assert all(report["latency_ms"] >= 0 for report in body["services"].values())


def test_status_is_ok_when_every_service_answers(client, pool):
    pool.away.clear()

    body = client.get("/status").get_json()

    assert body["status"] == "ok"
    assert body["away"] == []


def test_metrics_carry_one_up_gauge_per_service(client, pool):
    client.get("/status")

    metrics = client.get("/metrics").get_data(as_text=True)

    assert 'samverkan_gateway_dependency_up{service="notifier"} 0.0' in metrics
    assert 'samverkan_gateway_dependency_up{service="events"} 1.0' in metrics
    assert 'samverkan_gateway_dependency_seconds{service="registry"}' in metrics


def test_a_browser_gets_the_status_as_a_swedish_page(client, pool):
    response = client.get("/status", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})

    assert response.status_code == 200
    assert response.mimetype == "text/html"
    shown = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))
    assert "Driftstatus" in shown
    assert "E-post och aviseringar Fungerar inte just nu" in shown
    assert "Möten och kalendrar Fungerar" in shown
    assert "Sidor som inte behöver dem fungerar som vanligt" in shown
