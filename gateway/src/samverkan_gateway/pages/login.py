"""Logga in and logga ut: a person's session for the pages (and the API, with a CSRF token).

A wrong password and an unknown e-mail address get the same answer in the same time (a dummy
hash is verified). Failed attempts are limited per account and per client address
(:mod:`..ratelimit`); over a limit the page says how long to wait, with 429 and Retry-After.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import Schema, ValidationError, fields, validate

from .. import ratelimit
from ..people import MAX_PASSWORD_LENGTH, check_password, normalise_email
from ..sessions import log_in, log_out

blp = Blueprint("login_pages", __name__, template_folder="../templates")


class LoginSchema(Schema):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    password = fields.String(required=True, validate=validate.Length(min=1, max=MAX_PASSWORD_LENGTH))
    next = fields.String(load_default="")


def _messages() -> dict[str, str]:
    return {
        "email": _("Enter your e-mail address, like name@example.org."),
        "password": _("Enter your password."),
    }


def safe_next(target: str) -> str:
    """Where to go after logging in: a path on this site only, never another site (an open redirect)."""
    if target.startswith("/") and not target.startswith(("//", "/\\")) and "\n" not in target and "\r" not in target:
        return target
    return url_for("pages.home")


def _page(errors: dict[str, str], email: str = "", next_url: str = "", status: int = 200) -> Any:
    response = current_app.make_response(
        (render_template("pages/login.html", errors=errors, email=email, next_url=next_url), status)
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@blp.get("/logga-in")
def login_form() -> Any:
    return _page({}, next_url=request.args.get("next", ""))


@blp.post("/logga-in")
def login() -> Any:
    form = {key: request.form.get(key, "") for key in ("email", "password", "next")}
    email = form["email"] = form["email"].strip()
    try:
        given = LoginSchema().load({key: value for key, value in form.items() if value or key == "next"})
    except ValidationError as error:
        messages = _messages()
        wrong: dict[str, str] = {
            field: messages[field] for field in ("email", "password") if field in error.messages_dict
        }
        return _page(wrong, email, form["next"], 400)

    address = ratelimit.client_address()
    account = normalise_email(given["email"])
    ratelimit.check("login-address", address, "RATE_LIMIT_LOGIN_ADDRESS")
    ratelimit.check("login-account", account, "RATE_LIMIT_LOGIN_ACCOUNT")
    user = check_password(current_app.extensions["samverkan_db"], account, given["password"])
    if user is None:
        ratelimit.count("login-address", address, "RATE_LIMIT_LOGIN_ADDRESS")
        ratelimit.count("login-account", account, "RATE_LIMIT_LOGIN_ACCOUNT")
        # One message for both fields' cases: which of the two was wrong is not told.
        return _page({"email": _("The e-mail address or the password is wrong.")}, email, given["next"], 400)
    log_in(user.id)
    return redirect(safe_next(given["next"]), code=303)


@blp.post("/logga-ut")
def logout() -> Any:
    log_out()
    return redirect(url_for("pages.home"), code=303)
