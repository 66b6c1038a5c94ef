"""CSRF protection: Flask-WTF's synchroniser token, checked where a browser's cookie could be abused.

Checked on every POST (PUT, PATCH, DELETE) to the pages, logged in or not (a forged login is an
attack too), whatever headers come along; and on the API when the caller is a logged-in person's
cookie (send the token as ``X-CSRFToken``). An API request with an Authorization header carries
its own credential, which no other site can make a browser send, so it needs no token. The one-click
unsubscribe (RFC 8058) is exempt: mail clients POST to it without a page, and its secret URL is
the only credential.

A missing or wrong token is Flask-WTF's ``CSRFError``, a 400 answered from the one error table
(:mod:`.problems`): a page in the visitor's language, or problem+json (``CSRF_FAILED``) on the API.
"""

from __future__ import annotations

from flask import Flask, request, session
from flask_wtf.csrf import CSRFProtect

from .sessions import SECRET

csrf = CSRFProtect()
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
MACHINE_PREFIXES = ("/api/", "/feeds/", "/unsubscribe/", "/healthz", "/readyz", "/metrics")
EXEMPT_ENDPOINTS = {"unsubscribe.unsubscribe"}


def _needs_token() -> bool:
    if request.method not in UNSAFE or request.endpoint in EXEMPT_ENDPOINTS:
        return False
    if request.path.startswith(MACHINE_PREFIXES):
        # The API through a person's cookie; a bearer token is its own credential.
        return SECRET in session and not request.headers.get("Authorization")
    return True  # a page's form, always


def _protect() -> None:
    if _needs_token():
        csrf.protect()


def init_app(app: Flask) -> None:
    # We decide where to check (above); Flask-WTF checks the token and makes it for the templates.
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    # A token lives as long as the session that holds it, not a fixed hour: a planner may think long.
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    csrf.init_app(app)
    app.before_request(_protect)
