"""Secrets in URLs and headers: enough randomness, only their hash stored, revocable, looked up by hash.

A wrong token costs the same time as a right one because no secret is ever compared as a string:
the presented token is hashed (SHA-256) and the hash is looked up in a unique index, so the time
spent does not depend on how many leading characters of a guess were right.
"""

from __future__ import annotations

import ast
import base64
import hashlib

import pytest
from sqlalchemy import create_engine, text

from tests.security.conftest import World
from tests.support.stack import ROOT

# Where each kind of secret is made: (file, function) -> the secrets call that makes it.
MADE_IN = {
    "gateway API token": ROOT / "gateway/src/samverkan_gateway/auth.py",
    "personal feed token": ROOT / "services/events/src/samverkan_events/service_layer/handlers.py",
    "unsubscribe token": ROOT / "services/notifier/src/samverkan_notifier/service_layer/delivery.py",
}
SOURCES = [
    path
    for folder in ("gateway/src", "services")
    for path in (ROOT / folder).rglob("*.py")
    if "migrations" not in path.parts and "tests" not in path.parts
]


def sha256(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def rows_of(url: str, table: str) -> list[dict[str, object]]:
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = [dict(row._mapping) for row in connection.execute(text(f"SELECT * FROM {table}"))]  # noqa: S608
    engine.dispose()
    return rows


def unique_columns(url: str, table: str) -> set[str]:
    engine = create_engine(url)
    with engine.connect() as connection:
        found = connection.execute(
            text(
                "SELECT a.attname FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid "
                "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY(i.indkey) "
                "WHERE c.relname = :table AND i.indisunique"
            ),
            {"table": table},
        )
        names = {row[0] for row in found}
    engine.dispose()
    return names


@pytest.mark.parametrize("kind", sorted(MADE_IN))
def test_each_secret_is_made_with_at_least_128_random_bits(kind: str) -> None:
    calls = [
        node
        for node in ast.walk(ast.parse(MADE_IN[kind].read_text()))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "secrets"
    ]

    assert calls, f"no secrets.* call makes the {kind}"
    for call in calls:
        assert call.func.attr in {"token_urlsafe", "token_bytes", "token_hex"}  # type: ignore[attr-defined]
        [size] = call.args
        assert isinstance(size, ast.Constant)
        assert size.value * 8 >= 128, f"{kind}: {size.value} bytes"


def test_no_secret_is_compared_as_a_string_anywhere() -> None:
    """``token == x`` may stop at the first wrong character; a lookup by hash cannot."""
    suspicious = []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Compare) or not any(isinstance(op, ast.Eq | ast.NotEq) for op in node.ops):
                continue
            for side in (node.left, *node.comparators):
                name = side.id if isinstance(side, ast.Name) else side.attr if isinstance(side, ast.Attribute) else ""
                lowered = name.lower()
                if ("token" in lowered or "secret" in lowered) and not lowered.endswith(("_sha256", "_id", "_digest")):
                    suspicious.append(f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(node)}")

    assert suspicious == []


def test_the_notifier_keeps_only_the_hash_of_an_unsubscribe_token() -> None:
    from samverkan_notifier.adapters.tables import notifications

    columns = set(notifications.c.keys())

    assert "unsubscribe_sha256" in columns
    assert notifications.c.unsubscribe_sha256.unique
    assert not [column for column in columns if "token" in column or column == "unsubscribe"]


@pytest.mark.e2e
def test_a_personal_feed_token_is_random_stored_hashed_and_revocable(stack, world: World) -> None:  # type: ignore[no-untyped-def]
    org_a = world.clients["org_a"]
    issued = [org_a.post("/api/v1/personal-feeds", json={"attendee_email": "anna@example.org"}) for _ in range(3)]
    tokens = [response.json()["token"] for response in issued]
    token = tokens[-1]

    works = org_a.get(f"/feeds/personal/{token}.ics")
    old = org_a.get(f"/feeds/personal/{tokens[0]}.ics")
    guess = org_a.get(f"/feeds/personal/{token[:-1]}{'A' if token[-1] != 'A' else 'B'}.ics")
    stored = rows_of(stack.databases.urls["events"], "personal_feeds")
    revoked = org_a.post("/api/v1/personal-feeds/revoke", json={"attendee_email": "anna@example.org"})
    after = org_a.get(f"/feeds/personal/{token}.ics")

    assert [response.status_code for response in issued] == [201, 201, 201]
    assert len(set(tokens)) == 3
    assert len(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))) * 8 >= 128
    assert (works.status_code, old.status_code, guess.status_code) == (200, 404, 404)
    assert not [row for row in stored for value in row.values() if any(t in str(value) for t in tokens)]
    assert {sha256(t) for t in tokens} <= {row["token_sha256"] for row in stored}
    assert "token_sha256" in unique_columns(stack.databases.urls["events"], "personal_feeds")
    assert revoked.status_code == 200
    assert after.status_code == 404


@pytest.mark.e2e
def test_api_tokens_are_stored_as_their_sha256_only(stack, world: World) -> None:  # type: ignore[no-untyped-def]
    tokens = [
        client.session.headers["Authorization"].removeprefix("Bearer ")
        for role, client in world.clients.items()
        if role != "public"
    ]
    stored = rows_of(stack.databases.urls["gateway"], "api_tokens")

    assert not [row for row in stored for value in row.values() if any(t in str(value) for t in tokens)]
    assert {sha256(t) for t in tokens} <= {row["token_sha256"] for row in stored}
    assert "token_sha256" in unique_columns(stack.databases.urls["gateway"], "api_tokens")
