"""The browser's side of a person's session: one cookie, Flask's signed session, holding the session's secret.

The cookie (``samverkan_session``) is HttpOnly, SameSite=Lax and Secure (SESSION_COOKIE_SECURE is
false only for a local run over plain http). It holds the secret of a row in ``user_sessions``
and the CSRF token of the pages (see :mod:`.csrf`); what a person may do is read from the
database on each request, so logging out, an expired session or a disabled user ends access at once.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, g, session

from .auth import Principal
from .people import Lifetimes, end_session, session_principal, start_session

SECRET = "sid"


def lifetimes() -> Lifetimes:
    return Lifetimes(
        idle=timedelta(minutes=float(current_app.config["SESSION_IDLE_MINUTES"])),
        absolute=timedelta(hours=float(current_app.config["SESSION_ABSOLUTE_HOURS"])),
    )


def current_person() -> Principal | None:
    """The person logged in with this request's cookie, or None; an expired session is forgotten."""
    if "person" in g:
        return g.person  # type: ignore[no-any-return]
    secret = session.get(SECRET)
    person = None
    if isinstance(secret, str):
        person = session_principal(current_app.extensions["samverkan_db"], secret, lifetimes())
        if person is None:
            session.clear()
    g.person = person
    return person


def log_in(user_id: int) -> None:
    """A fresh session: whatever the cookie held before (a CSRF token, an earlier session) is dropped."""
    log_out()
    session[SECRET] = start_session(current_app.extensions["samverkan_db"], user_id)
    session.permanent = True
    g.pop("person", None)
    g.pop("principal", None)


def log_out() -> None:
    secret = session.get(SECRET)
    if isinstance(secret, str):
        end_session(current_app.extensions["samverkan_db"], secret)
    session.clear()
    g.pop("person", None)
    g.pop("principal", None)


def _secret_key(app: Flask) -> str:
    """SECRET_KEY from the settings; for a local run without one, a key made once and kept in a file.

    Every worker and every replica must sign with the same key, so production sets SECRET_KEY
    (from a Kubernetes Secret); the file serves the workers of one machine.
    """
    configured = str(app.config.get("SECRET_KEY") or "")
    if configured:
        return configured
    if app.config.get("TESTING"):
        return secrets.token_urlsafe(32)
    path = Path(app.config["SECRET_KEY_FILE"])
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip()
    except OSError as error:
        raise RuntimeError(
            f"SECRET_KEY is not set and {path} cannot be written: set SECRET_KEY "
            "(on Kubernetes: the Secret samverkan-gateway-session, key secret-key)"
        ) from error
    key = secrets.token_urlsafe(48)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(key + "\n")
    return key


def _flag(value: Any) -> bool:
    return str(value).strip().lower() in {"1", "true", "yes", "on"}


def init_app(app: Flask) -> None:
    app.config["SECRET_KEY"] = _secret_key(app)
    app.config.update(
        SESSION_COOKIE_NAME="samverkan_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=_flag(app.config.get("SESSION_COOKIE_SECURE", True)),
        # The cookie lives as long as a session may; the database decides whether it still does.
        PERMANENT_SESSION_LIFETIME=timedelta(hours=float(app.config["SESSION_ABSOLUTE_HOURS"])),
        SESSION_REFRESH_EACH_REQUEST=False,
    )

    @app.context_processor
    def person() -> dict[str, Any]:
        return {"current_person": current_person()}

    @app.after_request
    def private(response: Response) -> Response:
        # A page that names the person logged in is theirs alone: no shared cache may keep it.
        if g.get("person") is not None:
            response.headers.setdefault("Cache-Control", "private, no-store")
        return response
