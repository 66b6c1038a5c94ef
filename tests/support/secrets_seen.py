"""Every secret and piece of personal data a test run handed to the system, and a check that no log holds one.

The test helpers tell this module what they hand over: ``Stack.cli`` the API tokens it creates and the
demo's tokens, passwords and people; ``Client`` its bearer token, the e-mail addresses and person names
it sends, and the tokens and session cookies it gets back. ``Stack.start`` tells it where the processes
write their logs. At the end of the pytest session ``tests/conftest.py`` calls
:func:`fail_session_on_leaks`, which reads every log every stack of the session wrote (after all of
them stopped) and fails the run if one holds any of these, or anything shaped like a bearer token, a
personal feed link or an unsubscribe link.

A fixture that makes a secret some other way calls :func:`remember` with it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

KINDS = ("token", "password", "e-mail", "name")
# Shorter values are not looked for: "Bo" or "X" would be found inside ordinary words.
SHORTEST = {"token": 8, "password": 6, "e-mail": 6, "name": 4}
# Bounded parts: an unbounded pattern backtracks for minutes over the 1 MB bodies of the bad-input tests.
EMAIL = re.compile(r"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,24}")
# Bodies larger than this are the oversized inputs of the bad-input tests, not a person's details.
LARGEST_BODY = 64 * 1024
DEEPEST = 20
# Shapes of secrets, whoever made them: a bearer token, a gateway API token, a link holding a token.
SHAPES = {
    "bearer token": re.compile(r"Bearer\s+[A-Za-z0-9._~+/=-]{16,}"),
    "API token": re.compile(r"svk_[A-Za-z0-9_-]{20,}"),
    "personal feed link": re.compile(r"/feeds/personal/[A-Za-z0-9_-]{16,}"),
    "unsubscribe link": re.compile(r"/unsubscribe/[A-Za-z0-9_-]{16,}"),
}
# Request fields that hold a person's name, and paths under which a plain "name" is a person's.
PERSON_NAME_FIELDS = {"attendee_name", "person_name", "full_name", "display_name"}
PERSON_PATHS = re.compile(r"/contacts$|/users$|/people$")
SECRET_FIELDS = {
    "token": "token",
    "password": "password",
    "new_password": "password",
    "current_password": "password",
    "secret": "token",
}

_seen: dict[str, str] = {}
_log_dirs: list[Path] = []


def remember(secret: str, kind: str = "token") -> None:
    """A value that must never appear in a log: a token, a password, an e-mail address or a person's name."""
    if kind not in KINDS:
        raise ValueError(f"kind is one of {KINDS}, not {kind!r}")
    value = secret.strip()
    if len(value) >= SHORTEST[kind]:
        _seen.setdefault(value, kind)


def remembered() -> dict[str, str]:
    """Every value remembered so far, with its kind."""
    return dict(_seen)


def watch_logs(directory: Path) -> None:
    """A directory whose ``*.log`` files the check reads at the end of the session."""
    if directory not in _log_dirs:
        _log_dirs.append(directory)


def _strings(data: Any, key: str = "", depth: int = 0) -> Iterator[tuple[str, str]]:
    """Every (field name, string) in a JSON document, down to a depth no real request goes below."""
    if depth > DEEPEST:
        return
    if isinstance(data, Mapping):
        for name, value in data.items():
            yield from _strings(value, str(name), depth + 1)
    elif isinstance(data, list | tuple):
        for value in data:
            yield from _strings(value, key, depth + 1)
    elif isinstance(data, str):
        yield key, data


def remember_json(data: Any, path: str = "") -> None:
    """The e-mail addresses, person names and secrets in a JSON document sent to or received from the system."""
    person_path = bool(PERSON_PATHS.search(path))
    for key, value in _strings(data):
        if "@" in value:
            for address in EMAIL.findall(value):
                remember(address, "e-mail")
        if key in PERSON_NAME_FIELDS or (key == "name" and person_path):
            remember(value, "name")
        if key in SECRET_FIELDS:
            remember(value, SECRET_FIELDS[key])


def _json(body: Any) -> Any:
    if not isinstance(body, bytes | str) or not body or len(body) > LARGEST_BODY:
        return None  # nothing, a stream, or an oversized body
    try:
        return json.loads(body)
    except (TypeError, ValueError, RecursionError):  # not JSON, or nested deeper than Python recurses
        return None


def _form(body: Any) -> dict[str, str] | None:
    if isinstance(body, bytes):
        body = body.decode("utf-8", errors="replace")
    if not isinstance(body, str) or len(body) > LARGEST_BODY:
        return None
    return dict(parse_qsl(body))


def watch_session(session: Any) -> None:
    """Remember what a ``requests.Session`` sends and gets back (``Client`` does this for itself)."""
    session.hooks["response"].append(from_exchange)


def from_exchange(response: Any, *args: Any, **kwargs: Any) -> Any:
    """A ``requests`` response hook: remember what the request sent and the secrets the answer gave."""
    request = response.request
    path = (request.path_url or "").split("?", 1)[0]
    if "x-www-form-urlencoded" in request.headers.get("Content-Type", ""):
        remember_json(_form(request.body), path)  # a page's form: the login's e-mail and password
    else:
        remember_json(_json(request.body), path)
    if "json" in response.headers.get("Content-Type", ""):
        answer = _json(response.content)
        for key, value in _strings(answer):
            if key in SECRET_FIELDS:
                remember(value, SECRET_FIELDS[key])
            for shape in ("personal feed link", "unsubscribe link"):
                for found in SHAPES[shape].findall(value):
                    remember(found.rsplit("/", 1)[1], "token")
    for cookie in response.cookies:
        if cookie.value:
            remember(cookie.value, "token")
    return response


def from_cli(args: Iterable[str], output: str, given: str | None = None) -> None:
    """What a ``samverkan-gateway`` command made or was given: tokens, the demo's tokens, people and passwords."""
    args = list(args)
    if args[:2] == ["tokens", "create"]:
        remember(output, "token")
    if args[:2] == ["users", "create"]:
        if given:
            remember(given.splitlines()[0], "password")
        for option, kind in (("--email", "e-mail"), ("--name", "name")):
            remember(_option(args, option) or "", kind)
    if args[:1] == ["demo"]:
        _remember_demo(args)


def _option(args: list[str], name: str) -> str | None:
    """The value after ``name`` in a command line, or None."""
    return args[args.index(name) + 1] if name in args[:-1] else None


def _remember_demo(args: list[str]) -> None:
    from samverkan_gateway import demo

    tokens_file = Path(_option(args, "--tokens-file") or "var/demo-tokens.json")
    users_file = Path(_option(args, "--users-file") or tokens_file.with_name("demo-users.json"))
    for path in (tokens_file, users_file):
        if path.exists():
            for key, value in _strings(json.loads(path.read_text(encoding="utf-8"))):
                remember(value, "e-mail" if key == "email" else "password" if key == "password" else "token")
    # The people the demo puts in the register and the mailing lists.
    for name, value in vars(demo).items():
        if name.isupper():
            for _key, text in _strings(_plain(value)):
                for address in EMAIL.findall(text):
                    remember(address, "e-mail")
    for _email, display_name in getattr(demo, "DEMO_PEOPLE", {}).values():
        remember(display_name, "name")


def _plain(value: Any) -> Any:
    """Module constants as JSON-like data (tuples of tuples, dicts of tuples)."""
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(item) for item in value]
    return value if isinstance(value, str) else None


@dataclass(frozen=True)
class Leak:
    path: Path
    line: int
    kind: str
    shown: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.kind} {self.shown}"


def _masked(value: str, kind: str) -> str:
    # The report must not leak what it found: a secret shows its first characters only.
    return value if kind in ("e-mail", "name") else f"{value[:4]}…"


def leaks(directories: Iterable[Path], seen: Mapping[str, str]) -> list[Leak]:
    """Every line of every ``*.log`` in the directories that holds a remembered value or a secret's shape."""
    by_kind: dict[str, list[str]] = {}
    for value, kind in seen.items():
        by_kind.setdefault(kind, []).append(value)
    patterns: list[tuple[str, re.Pattern[str]]] = []
    for kind, values in by_kind.items():
        alternatives = "|".join(re.escape(value) for value in sorted(values, key=len, reverse=True))
        if kind == "name":
            patterns.append((kind, re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")))
        elif kind == "e-mail":
            patterns.append((kind, re.compile(alternatives, re.IGNORECASE)))
        else:
            patterns.append((kind, re.compile(alternatives)))
    patterns += list(SHAPES.items())
    found: list[Leak] = []
    for directory in directories:
        for path in sorted(directory.glob("*.log")):
            with path.open(encoding="utf-8", errors="replace") as lines:
                for number, line in enumerate(lines, start=1):
                    spans: list[tuple[int, int]] = []
                    for kind, pattern in patterns:
                        for match in pattern.finditer(line):
                            # Text found already (a remembered token is also token-shaped) is reported once.
                            if not any(start < match.end() and match.start() < end for start, end in spans):
                                spans.append(match.span())
                                found.append(Leak(path, number, kind, _masked(match.group(0), kind)))
    return found


def fail_session_on_leaks(session: Any) -> list[Leak]:
    """Read the logs of every stack of this session; report each leak and fail the session if there is one."""
    found = leaks(_log_dirs, _seen)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if not found:
        if _log_dirs and reporter is not None:  # say what was read, so a check that read nothing shows
            files = sum(len(list(directory.glob("*.log"))) for directory in _log_dirs)
            kinds = ", ".join(f"{sum(k == kind for k in _seen.values())} {kind}s" for kind in KINDS)
            reporter.write_line(f"\nlogs of {len(_log_dirs)} stacks ({files} files) hold none of {kinds} seen")
        return found
    lines = [
        f"{len(found)} secret(s) or personal data in the logs of the system under test "
        f"({len(_log_dirs)} log directories, {len(_seen)} values looked for):",
        *(str(leak) for leak in found[:50]),
    ]
    if reporter is not None:
        reporter.section("secrets and personal data in logs", sep="=", red=True, bold=True)
        for line in lines:
            reporter.write_line(line, red=True)
    else:
        print("\n".join(lines))
    if session.exitstatus == 0:
        session.exitstatus = 1  # pytest.ExitCode.TESTS_FAILED
    return found
