"""Browsable API documentation, rendered on the server from the OpenAPI document."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, render_template

blp = Blueprint("docs", __name__, template_folder="templates")


@blp.get("/api/docs")
def api_docs() -> Any:
    spec = current_app.extensions["samverkan_api"].spec.to_dict()
    return render_template("api_docs.html", spec=spec)
