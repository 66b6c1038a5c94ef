"""Request ids, the access log and /metrics at the gateway (the broker is unreachable here)."""

from __future__ import annotations

import json
import logging

import pytest
from prometheus_client import REGISTRY

from samverkan_common.logs import JsonFormatter, current_request_id, request_context
from samverkan_gateway.rpc import RpcClient

SECRET = "s3cret-token-value-0123456789"


class RecordingRpc:
    """Remembers the request id each call was made under."""

    def __init__(self):
        self.request_ids = []

    def call(self, service, method, *args, **kwargs):
        self.request_ids.append(current_request_id())
        return []

    def close(self):
        pass


def access_lines(caplog):
    formatter = JsonFormatter(service="gateway")
    return [
        json.loads(formatter.format(record)) for record in caplog.records if record.name == "samverkan_gateway.access"
    ]


def test_a_request_without_an_id_gets_a_new_one_in_the_response(client):
    first = client.get("/healthz")
    second = client.get("/healthz")

    assert first.headers["X-Request-Id"]
    assert first.headers["X-Request-Id"] != second.headers["X-Request-Id"]


def test_a_well_formed_request_id_from_the_caller_is_kept(client):
    assert client.get("/healthz", headers={"X-Request-Id": "lb-7f3a.1"}).headers["X-Request-Id"] == "lb-7f3a.1"


@pytest.mark.parametrize("bad", ["two words", "x" * 200, "<script>"])
def test_a_malformed_request_id_is_replaced(client, bad):
    returned = client.get("/healthz", headers={"X-Request-Id": bad}).headers["X-Request-Id"]

    assert returned != bad
    assert len(returned) == 32


def test_the_services_are_called_under_the_request_id(app, client):
    app.extensions["rpc"] = fake = RecordingRpc()

    client.get("/api/v1/forums", headers={"X-Request-Id": "req-forums-1"})

    assert fake.request_ids == ["req-forums-1"]


def test_the_request_id_travels_in_nameko_context_headers():
    with request_context("req-42"):
        headers = RpcClient._context("list_forums", "c-1")

    assert headers["nameko.request_id"] == "req-42"
    assert headers["nameko.call_id_stack"] == ["gateway.list_forums.c-1"]
    assert "nameko.request_id" not in RpcClient._context("list_forums", "c-2")


def test_the_access_log_line_holds_no_token_secret_link_or_address(client, token, caplog):
    headers = {**token("planner"), "X-Request-Id": "req-access-1"}
    bearer = headers["Authorization"].removeprefix("Bearer ")
    with caplog.at_level(logging.INFO, logger="samverkan_gateway.access"):
        client.get(f"/feeds/personal/{SECRET}.ics", headers={"Authorization": f"Bearer {SECRET}"})
        client.get("/api/v1/persons/export?email=anna%40example.org", headers=headers)

    lines = access_lines(caplog)
    assert [line["route"] for line in lines] == ["/feeds/personal/<token>.ics", "/api/v1/persons/export"]
    assert lines[1]["request_id"] == "req-access-1"
    assert lines[1]["method"] == "GET"
    assert isinstance(lines[1]["status"], int)
    written = caplog.text + json.dumps(lines)
    for private in (SECRET, bearer, "Bearer", "anna", "example.org"):
        assert private not in written


def test_metrics_count_requests_per_route_and_status(client):
    labels = {"method": "GET", "route": "/api/v1/forums/<slug>", "status": "503"}
    before = REGISTRY.get_sample_value("samverkan_gateway_requests_total", labels) or 0

    assert client.get("/api/v1/forums/ser").status_code == 503  # the broker is unreachable here
    body = client.get("/metrics").get_data(as_text=True)

    assert REGISTRY.get_sample_value("samverkan_gateway_requests_total", labels) == before + 1
    assert (
        'samverkan_gateway_request_duration_seconds_bucket{le="0.005",method="GET",route="/api/v1/forums/<slug>"'
        in body
    )
    assert (
        'samverkan_gateway_rpc_duration_seconds_count{method="get_forum",outcome="unavailable",service="events"}'
        in body
    )


def test_paths_no_route_knows_share_one_label(client):
    client.get("/no/such/page-1")
    client.get("/no/such/page-2")

    body = client.get("/metrics").get_data(as_text=True)

    assert 'route="<unmatched>"' in body
    assert "page-1" not in body


def test_metrics_are_not_served_through_the_ingress(client):
    assert client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 404
    assert client.get("/metrics", headers={"Forwarded": "for=203.0.113.9"}).status_code == 404
