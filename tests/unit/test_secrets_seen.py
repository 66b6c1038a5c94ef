"""The log check finds a planted token, password, address or name, and a leak fails the whole pytest run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.support import secrets_seen
from tests.support.secrets_seen import leaks

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "svk_" + "Q" * 43
SEEN = {
    TOKEN: "token",
    "Kx9-personal-feed-token-Kx9": "token",
    "hunter2hunter2": "password",
    "cecilia@example.org": "e-mail",
    "Anna Andersson": "name",
}


def logs(tmp_path: Path, text: str) -> Path:
    directory = tmp_path / "logs"
    directory.mkdir(exist_ok=True)
    (directory / "gateway.log").write_text('{"message": "started"}\n' + text + "\n")
    return directory


def test_clean_logs_have_no_leak(tmp_path):
    directory = logs(tmp_path, '{"message": "POST /api/v1/personal-feeds 201", "route": "/feeds/personal/<token>.ics"}')
    assert leaks([directory], SEEN) == []


def test_a_planted_token_is_found_with_its_file_and_line_and_not_shown_whole(tmp_path):
    directory = logs(tmp_path, f'{{"message": "authorised {TOKEN}"}}')
    (found,) = leaks([directory], SEEN)
    assert (found.path.name, found.line, found.kind) == ("gateway.log", 2, "token")
    assert TOKEN not in str(found)


def test_passwords_addresses_and_names_are_found(tmp_path):
    directory = logs(tmp_path, "login hunter2hunter2 by CECILIA@example.org for Anna Andersson")
    assert sorted(leak.kind for leak in leaks([directory], SEEN)) == ["e-mail", "name", "password"]


def test_a_name_inside_a_longer_word_is_not_a_leak(tmp_path):
    directory = logs(tmp_path, "Anna Anderssons förening")
    assert leaks([directory], {"Anna Andersson": "name"}) == []


def test_secret_shaped_text_is_found_even_when_nobody_remembered_it(tmp_path):
    directory = logs(
        tmp_path,
        "GET /unsubscribe/abcdefghijklmnopqrstuvwxyz012345 200\n"
        "GET /feeds/personal/abcdefghijklmnopqrstuvwxyz012345.ics 200\n"
        "Authorization: Bearer abcdefghijklmnopqrstuvwxyz012345",
    )
    kinds = {leak.kind for leak in leaks([directory], {})}
    assert kinds == {"unsubscribe link", "personal feed link", "bearer token"}


def test_only_log_files_are_read_not_the_demo_token_files_beside_them(tmp_path):
    directory = logs(tmp_path, "nothing here")
    (directory / "demo-tokens.json").write_text(json.dumps({"planner": TOKEN}))
    assert leaks([directory], SEEN) == []


def test_what_a_client_sends_and_gets_back_is_remembered(monkeypatch):
    monkeypatch.setattr(secrets_seen, "_seen", {})
    request = requests.Request(
        "POST",
        "http://127.0.0.1/api/v1/organisations/o-1/contacts",
        json={"name": "Kim Kontaktsson", "email": "kim@example.org", "phone": "070"},
    ).prepare()
    response = requests.Response()
    response.request = request
    response.headers["Content-Type"] = "application/json"
    response._content = json.dumps(
        {"token": "Zz-returned-token-Zz", "url": "http://x/feeds/personal/Yy-feed-token-from-url-Yy.ics"}
    ).encode()
    secrets_seen.from_exchange(response)
    assert secrets_seen.remembered() == {
        "Kim Kontaktsson": "name",
        "kim@example.org": "e-mail",
        "Zz-returned-token-Zz": "token",
        "Yy-feed-token-from-url-Yy": "token",
    }


def exchange(body: bytes) -> requests.Response:
    response = requests.Response()
    response.request = requests.Request("POST", "http://127.0.0.1/api/v1/meetings", data=body).prepare()
    return response


def test_oversized_and_deeply_nested_bodies_are_passed_over_at_once(monkeypatch):
    monkeypatch.setattr(secrets_seen, "_seen", {})
    started = time.monotonic()
    secrets_seen.from_exchange(exchange(b'{"title": "' + b"A" * 1_000_000 + b'"}'))
    secrets_seen.from_exchange(exchange(b"[" * 100_000 + b"]" * 100_000))
    secrets_seen.from_exchange(exchange(b'{"title": "' + b"A" * 60_000 + b'", "attendee_email": "deep@example.org"}'))
    assert time.monotonic() - started < 2
    assert secrets_seen.remembered() == {"deep@example.org": "e-mail"}


def test_a_login_form_leaves_its_password_and_the_session_cookie_to_look_for(monkeypatch):
    monkeypatch.setattr(secrets_seen, "_seen", {})
    response = requests.Response()
    response.request = requests.Request(
        "POST", "http://127.0.0.1/logga-in", data={"email": "pia@example.org", "password": "ett långt lösenord"}
    ).prepare()
    response.cookies.set("session", "Ss-session-cookie-value-Ss")
    secrets_seen.from_exchange(response)
    assert secrets_seen.remembered() == {
        "pia@example.org": "e-mail",
        "ett långt lösenord": "password",
        "Ss-session-cookie-value-Ss": "token",
    }


CONFTEST = """
from tests.support import secrets_seen

def pytest_sessionfinish(session, exitstatus):
    secrets_seen.fail_session_on_leaks(session)  # as tests/conftest.py does
"""
PLANTING_TEST = f"""
import os

from tests.support import secrets_seen

def test_a_stack_that_logs_what_it_is_given(tmp_path):
    secrets_seen.watch_logs(tmp_path)
    secrets_seen.remember("{TOKEN}")
    planted = os.environ["PLANT"] == "1"
    (tmp_path / "gateway.log").write_text("checked {TOKEN}\\n" if planted else "checked\\n")
"""


def run_pytest(directory: Path, plant: bool) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(directory), str(directory)],
        cwd=directory,
        env={**os.environ, "PYTHONPATH": str(ROOT), "PLANT": "1" if plant else "0"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_run_whose_stack_logged_a_token_fails_though_every_test_passed(tmp_path):
    (tmp_path / "conftest.py").write_text(CONFTEST)
    (tmp_path / "test_planted.py").write_text(PLANTING_TEST)

    clean = run_pytest(tmp_path, plant=False)
    planted = run_pytest(tmp_path, plant=True)

    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert planted.returncode == 1, planted.stdout + planted.stderr
    assert "1 passed" in planted.stdout
    assert "1 secret(s) or personal data in the logs" in planted.stdout
    assert "gateway.log:1: token svk_…" in planted.stdout
    assert TOKEN not in planted.stdout
