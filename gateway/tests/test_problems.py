import json
import sys
from pathlib import Path

import pytest

import samverkan_common.errors as shared_errors
from samverkan_common.db import make_engine
from samverkan_gateway import rpc
from samverkan_gateway.problems import ERROR_STATUS

MEETING = {
    "forum_slug": "ros-gruppen",
    "title": "Möte",
    "starts_at": "2027-01-10T10:00:00",
    "ends_at": "2027-01-10T12:00:00",
    "level": "dialogue",
}


def test_every_error_in_the_table_exists_where_it_is_raised():
    for error_class in ERROR_STATUS:
        module = sys.modules[error_class.__module__]
        assert getattr(module, error_class.__name__) is error_class
    assert set(shared_errors.REMOTE_ERRORS.values()) <= set(ERROR_STATUS)


def test_shared_error_crosses_rpc_with_its_code_and_fields():
    error = rpc.remote_exception(
        {
            "exc_type": "Invalid",
            "exc_path": "samverkan_common.errors.Invalid",
            "exc_args": ["bad", "MEETING_INVALID", {"ends_at": ["too early"]}],
            "value": "bad",
        }
    )
    assert isinstance(error, shared_errors.Invalid)
    assert (error.code, error.errors) == ("MEETING_INVALID", {"ends_at": ["too early"]})


def test_unexpected_remote_error_is_a_remote_failure():
    error = rpc.remote_exception(
        {"exc_type": "KeyError", "exc_path": "builtins.KeyError", "exc_args": ["x"], "value": "'x'"}
    )
    assert isinstance(error, rpc.RemoteFailure)


def test_broker_unreachable_is_503_problem_without_internals(client):
    response = client.get("/api/v1/meetings/123")

    assert response.status_code == 503
    assert response.content_type == "application/problem+json"
    body = response.get_json()
    assert body["code"] == "SERVICE_UNAVAILABLE"
    assert "Traceback" not in response.get_data(as_text=True)
    assert "127.0.0.1" not in response.get_data(as_text=True)


def test_write_without_token_is_401(client):
    response = client.post("/api/v1/meetings", json=MEETING)

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="samverkan"'
    assert response.content_type == "application/problem+json"


def test_write_with_unknown_token_is_401(client):
    response = client.post("/api/v1/meetings", json=MEETING, headers={"Authorization": "Bearer svk_nope"})
    assert response.status_code == 401


def test_write_with_the_wrong_role_is_403(client, token):
    response = client.post("/api/v1/meetings", json=MEETING, headers=token("organisation"))
    assert response.status_code == 403


def test_notification_log_is_for_operators_only(client, token):
    assert client.get("/api/v1/notifications", headers=token("planner")).status_code == 403


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**MEETING, "level": 7}, "level"),
        ({**MEETING, "colour": "red"}, "colour"),
        ({**MEETING, "title": "x" * 1_000_000}, "title"),
        ({"title": "Möte"}, "forum_slug"),
    ],
)
def test_bad_input_is_422_naming_the_field_before_any_service_is_called(client, token, body, field):
    response = client.post("/api/v1/meetings", json=body, headers=token("planner"))

    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert field in response.get_json()["errors"]


def test_invalid_json_is_400_problem(client, token):
    response = client.post(
        "/api/v1/meetings", data=b"{", headers={**token("planner"), "Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.get_json()["errors"] == {"json": ["Invalid JSON body."]}


def test_oversized_body_is_413_problem(client, token):
    response = client.post(
        "/api/v1/meetings",
        data=b"x" * (3 * 1024 * 1024),
        headers={**token("planner"), "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.content_type == "application/problem+json"


def test_unknown_route_is_404_problem(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.content_type == "application/problem+json"


def test_committed_openapi_document_matches_the_schemas(app):
    committed = json.loads((Path(__file__).parents[1] / "src/samverkan_gateway/openapi.json").read_text())
    assert committed == json.loads(json.dumps(app.extensions["samverkan_api"].spec.to_dict())), (
        "the OpenAPI document drifted: run `make openapi` and commit the result"
    )


def test_openapi_and_docs_are_served(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/meetings" in spec["paths"]
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    assert "/api/v1/meetings" in docs.get_data(as_text=True)


def test_liveness_needs_no_broker_but_readiness_does(client):
    assert client.get("/healthz").status_code == 200
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.get_json()["broker"]["ready"] is False


def test_gateway_database_away_is_503(app, client, token):
    headers = token("planner")
    app.extensions["samverkan_db"] = make_engine("sqlite:////nonexistent/folder/gateway.db")

    response = client.post("/api/v1/meetings", json=MEETING, headers=headers)

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
