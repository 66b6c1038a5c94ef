"""Background jobs: how far an import has come, and what it found wrong so far."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from ...auth import Role, requires
from ...services import call
from ..organisations.routes import actor
from .schemas import JobSchema

blp = Blueprint("jobs", __name__, url_prefix="/api/v1/jobs", description="Imports and other long work.")


@blp.route("/<job_id>", methods=["GET"])
@requires(Role.OPERATOR)
@blp.response(200, JobSchema)
def get_job(job_id: str) -> Any:
    """A job's progress: rows done of the total, counts, and the rows refused so far"""
    return call("registry", "get_job", job_id, actor())
