"""The application factory."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_smorest import Api

from samverkan_common.db import make_engine

from . import audit, csrf, health, i18n, idempotency, observability, problems, ratelimit, security, sessions
from .config import from_environment
from .docs import blp as docs_blp
from .pages.calendar import blp as pages_blp
from .pages.email_updates import blp as email_pages_blp
from .pages.follow_up import blp as follow_up_pages_blp
from .pages.login import blp as login_pages_blp
from .pages.my_pages import blp as my_pages_blp
from .pages.organisation_edit import blp as organisation_edit_pages_blp
from .pages.organisations import blp as organisation_pages_blp
from .pages.plan_invitations import blp as plan_invitation_pages_blp
from .pages.plan_meetings import blp as plan_meeting_pages_blp
from .pages.planning import blp as planning_pages_blp
from .pages.plans import blp as plan_pages_blp
from .resources.advisor.routes import blp as advisor_blp
from .resources.audit.routes import blp as audit_blp
from .resources.deadletters.routes import blp as dead_letters_blp
from .resources.events.routes import blp as events_blp
from .resources.events.routes import feeds
from .resources.invitations.routes import blp as invitations_blp
from .resources.jobs.routes import blp as jobs_blp
from .resources.municipalities.routes import blp as municipalities_blp
from .resources.notifications.routes import blp as notifications_blp
from .resources.notifications.routes import confirm_blp, unsubscribe_blp
from .resources.organisations.routes import blp as organisations_blp
from .resources.organisations.routes import persons as persons_blp
from .resources.reports.routes import blp as reports_blp
from .rpc import RpcPool


class SamverkanApi(problems.ProblemResponses, Api):  # type: ignore[misc]
    # Document our problem+json body as the error response of every route.
    ERROR_SCHEMA = problems.ProblemSchema


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    app.config.from_mapping(from_environment())
    app.config.update(config or {})
    app.json.ensure_ascii = False  # type: ignore[attr-defined]

    app.extensions["samverkan_db"] = make_engine(app.config["GATEWAY_DATABASE_URL"])
    app.extensions["rpc"] = RpcPool(app.config["AMQP_URI"], timeout=app.config["RPC_TIMEOUT"])

    api = SamverkanApi(app, spec_kwargs={"info": {"description": DESCRIPTION}})
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    api.spec.plugins.append(ratelimit.RateLimitResponses())  # before the blueprints: it documents their 429s
    idempotency.document(api)  # also before the blueprints: every POST takes an Idempotency-Key
    app.extensions["samverkan_api"] = api
    for blueprint in (
        organisations_blp,
        persons_blp,
        municipalities_blp,
        jobs_blp,
        events_blp,
        advisor_blp,
        invitations_blp,
        reports_blp,
        notifications_blp,
        audit_blp,
        dead_letters_blp,
        unsubscribe_blp,
        confirm_blp,
        feeds,
    ):
        api.register_blueprint(blueprint)
    app.register_blueprint(health.blp)
    app.register_blueprint(docs_blp)
    app.register_blueprint(pages_blp)
    app.register_blueprint(organisation_pages_blp)
    app.register_blueprint(organisation_edit_pages_blp)
    app.register_blueprint(planning_pages_blp)
    app.register_blueprint(follow_up_pages_blp)
    app.register_blueprint(email_pages_blp)
    app.register_blueprint(login_pages_blp)
    app.register_blueprint(plan_pages_blp)
    app.register_blueprint(plan_invitation_pages_blp)
    app.register_blueprint(plan_meeting_pages_blp)
    app.register_blueprint(my_pages_blp)
    i18n.init_app(app)
    # After Api(app), so that our handlers replace flask-smorest's JSON errors.
    problems.init_app(app)
    security.init_app(app)
    sessions.init_app(app)
    csrf.init_app(app)
    ratelimit.init_app(app)
    observability.init_app(app)
    audit.init_app(app)
    idempotency.init_app(app)  # last: a request another check refuses never claims a key
    return app


DESCRIPTION = (
    "Samverkan plans dialogue between Västra Götalandsregionen and civil society. "
    "Reads are public; writes need a bearer token with the right role "
    "(organisation, planner, operator). Errors are application/problem+json."
)
