"""The gateway answers repeated organisation reads from its own copy, and a change anywhere reaches it."""

from __future__ import annotations

import base64

import pytest

from samverkan_gateway.rpc import RpcPool
from tests.support.waiting import wait_until

pytestmark = pytest.mark.e2e


@pytest.fixture
def organisation_id(planner):
    created = planner.post(
        "/api/v1/organisations", json={"name": "Kopieföreningen", "kind": "natverk", "municipality_code": "1480"}
    )
    assert created.status_code == 201, created.text
    return created.json()["id"]


def test_a_change_made_past_the_gateway_reaches_its_copy(stack, public, organisation_id):
    assert public.get(f"/api/v1/organisations/{organisation_id}").json()["name"] == "Kopieföreningen"
    rpc = RpcPool(stack.vhost.amqp_uri)
    current = rpc.call("registry", "get_organisation", organisation_id)

    rpc.call(
        "registry",
        "update_organisation",
        organisation_id,
        {"version": current["version"], "name": "Kopieföreningen i Göteborg"},
        {"role": "operator", "organisation_id": None},
    )
    rpc.close()

    wait_until(
        lambda: public.get(f"/api/v1/organisations/{organisation_id}").json()["name"],
        lambda name: name == "Kopieföreningen i Göteborg",
        timeout=10,
    )


def test_a_write_through_the_gateway_is_read_back_at_once(public, planner, organisation_id):
    assert public.get(f"/api/v1/organisations/{organisation_id}").status_code == 200
    version = public.get(f"/api/v1/organisations/{organisation_id}").json()["version"]

    changed = planner.patch(f"/api/v1/organisations/{organisation_id}", json={"version": version, "name": "Ny"})

    assert changed.status_code == 200, changed.text
    assert public.get(f"/api/v1/organisations/{organisation_id}").json()["name"] == "Ny"


def registry_reads(public) -> float:
    """How many organisation reads the gateway has asked the registry for (its own metrics)."""
    for line in public.get("/metrics").text.splitlines():
        if line.startswith("samverkan_gateway_rpc_duration_seconds_count") and 'method="get_organisation"' in line:
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def wait_for_a_trusted_copy(public, path) -> None:
    """Once the gateway hears the registry's events, the second of two reads comes from its copy."""

    def read_twice() -> float:
        before = registry_reads(public)
        public.get(path)
        public.get(path)
        return registry_reads(public) - before

    wait_until(read_twice, lambda asked: asked <= 1, timeout=15)


def test_repeated_reads_are_answered_without_the_registry(stack, public, organisation_id):
    path = f"/api/v1/organisations/{organisation_id}"
    wait_for_a_trusted_copy(public, path)
    first = public.get(path).json()
    stack.kill("registry")
    try:
        again = public.get(path)
        assert again.status_code == 200
        assert again.json() == first
    finally:
        stack.start_service("registry")
        stack.wait_ready()


def test_a_change_to_another_organisation_leaves_this_copy_alone(stack, public, planner, organisation_id):
    path = f"/api/v1/organisations/{organisation_id}"
    other = planner.post(
        "/api/v1/organisations", json={"name": "Grannföreningen", "kind": "natverk", "municipality_code": "1480"}
    ).json()
    wait_for_a_trusted_copy(public, path)
    rpc = RpcPool(stack.vhost.amqp_uri)
    rpc.call(
        "registry",
        "update_organisation",
        other["id"],
        {"version": other["version"], "name": "Grannen"},
        {"role": "operator", "organisation_id": None},
    )
    rpc.close()
    wait_until(lambda: public.get(f"/api/v1/organisations/{other['id']}").json()["name"], lambda n: n == "Grannen")

    before = registry_reads(public)
    public.get(path)
    assert registry_reads(public) == before


def test_an_import_past_the_gateway_that_changes_an_organisation_reaches_its_copy(stack, public, planner):
    created = planner.post(
        "/api/v1/organisations", json={"name": "Importföreningen", "kind": "natverk", "municipality_code": "1480"}
    )
    path = f"/api/v1/organisations/{created.json()['id']}"
    wait_for_a_trusted_copy(public, path)
    # Without a number, the import recognises the organisation by its name and municipality.
    content = "namn;kommunkod;beskrivning\r\nImportföreningen;1480;Ändrad genom en import.\r\n".encode()
    operator = {"role": "operator", "organisation_id": None}
    rpc = RpcPool(stack.vhost.amqp_uri)
    try:
        job = rpc.call("registry", "create_import_job", {"filename": "register.csv", "chunks": 1}, operator)
        rpc.call("registry", "add_import_chunk", job["id"], 0, base64.b64encode(content).decode(), operator)
        finished = wait_until(
            lambda: rpc.call("registry", "get_job", job["id"], operator),
            lambda state: state["status"] == "finished",
            timeout=20,
        )
    finally:
        rpc.close()
    assert finished["updated"] == 1

    wait_until(
        lambda: public.get(path).json()["description"], lambda text: text == "Ändrad genom en import.", timeout=10
    )
