"""Swedish first, English second: one translation mechanism for every page.

Strings in code and templates are written in English and wrapped in ``_()``;
the Swedish catalogue is ``translations/sv/LC_MESSAGES/messages.po``, compiled
to ``.mo`` by ``make translations`` (run by the set-up scripts).
"""

from __future__ import annotations

from flask import Flask, request
from flask_babel import Babel, get_locale

LANGUAGES = ("sv", "en")
DEFAULT_LANGUAGE = "sv"
COOKIE = "lang"


def select_language() -> str:
    """The language asked for in the link, else the one remembered, else Swedish."""
    asked = request.args.get("lang") or request.cookies.get(COOKIE)
    return asked if asked in LANGUAGES else DEFAULT_LANGUAGE


def init_app(app: Flask) -> None:
    Babel(app, locale_selector=select_language, default_locale=DEFAULT_LANGUAGE, default_timezone="Europe/Stockholm")

    @app.context_processor
    def language() -> dict[str, str]:
        return {"current_language": str(get_locale() or DEFAULT_LANGUAGE)}

    @app.after_request
    def remember(response):  # type: ignore[no-untyped-def]
        asked = request.args.get("lang")
        if asked in LANGUAGES:
            response.set_cookie(COOKIE, asked, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
        return response
