"""Input no service could store is refused at the gateway's door; errors are documented as problem+json."""

import pytest

from samverkan_gateway.security import MAX_JSON_DEPTH, unacceptable


def nested(depth: int) -> list:
    value: list = []
    for _ in range(depth - 1):
        value = [value]
    return value


@pytest.mark.parametrize(
    ("value", "refused"),
    [
        ({"name": "Föreningen Ängen"}, False),
        ({"name": "a\x00b"}, True),
        ({"a\x00": "key"}, True),
        (["\ud800"], True),
        ("😀 emoji are fine", False),
        (nested(MAX_JSON_DEPTH), False),
        (nested(MAX_JSON_DEPTH + 1), True),
    ],
)
def test_text_with_nul_or_lone_surrogates_or_absurd_nesting_is_unacceptable(value, refused):
    assert (unacceptable(value) is not None) is refused


def test_nul_in_a_json_body_is_422_before_any_service_is_called(client, token):
    response = client.post(
        "/api/v1/forums",
        data='{"slug": "a", "name": "x\\u0000"}',
        content_type="application/json",
        headers=token("planner"),
    )

    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert response.json["errors"] == {"json": ["Text may not contain NUL characters."]}


def test_json_nested_deeper_than_the_python_stack_is_400_not_500(client, token):
    body = "[" * 200_000 + "]" * 200_000

    response = client.post("/api/v1/forums", data=body, content_type="application/json", headers=token("planner"))

    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize("path", ["/api/v1/meetings?start=%00", "/api/v1/forums/a%00b", "/feeds/forums/a%00.ics"])
def test_nul_in_a_query_or_path_parameter_is_422(client, path):
    response = client.get(path)

    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"


def test_the_openapi_document_gives_every_error_response_as_problem_json(client):
    document = client.get("/api/v1/openapi.json").json

    error_types = {
        name: set(response.get("content", {}))
        for name, response in document["components"]["responses"].items()
        if name != "OK"
    }
    guarded = document["paths"]["/api/v1/forums"]["post"]["responses"]

    assert error_types
    assert all(types == {"application/problem+json"} for types in error_types.values()), error_types
    assert {"401", "403", "422", "default"} <= set(guarded)
