"""``samverkan-gateway``: the gateway's operator commands."""

from __future__ import annotations

import json
import secrets
import sys
from pathlib import Path

import click
from flask import Flask
from sqlalchemy.exc import IntegrityError

from samverkan_common.migrations import upgrade

from .auth import Role, create_token
from .people import MIN_PASSWORD_LENGTH, WeakPassword, create_user, find_user


def _app() -> Flask:
    from .app import create_app

    # A command never signs a session cookie: a throw-away key spares it the server's SECRET_KEY
    # (the migration Job has none, and its disk is read-only).
    return create_app({"SECRET_KEY": secrets.token_urlsafe(32)})


@click.group()
def main() -> None:
    """Operate the Samverkan gateway."""


@main.command()
def migrate() -> None:
    """Upgrade the gateway's own database (API tokens) to its newest revision."""
    app = _app()
    upgrade("samverkan_gateway", app.config["GATEWAY_DATABASE_URL"])


@main.group()
def tokens() -> None:
    """API tokens."""


@tokens.command("create")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--name", required=True, help="Who or what the token is for.")
@click.option("--organisation-id", default=None, help="For role organisation: the organisation it speaks for.")
def create(role: str, name: str, organisation_id: str | None) -> None:
    """Create a token and print it. It is shown only this once; only its hash is kept."""
    app = _app()
    click.echo(create_token(app.extensions["samverkan_db"], name, Role(role), organisation_id))


@main.group()
def users() -> None:
    """People who log in to the pages."""


@users.command("create")
@click.option("--email", required=True, help="The person's e-mail address; they log in with it.")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--organisation-id", default=None, help="For role organisation: the organisation they speak for.")
@click.option("--name", default=None, help="The name shown when they are logged in (default: the e-mail address).")
def create_person(email: str, role: str, organisation_id: str | None, name: str | None) -> None:
    """Create a person who logs in. The password is read from standard input or asked for, never an argument."""
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    app = _app()
    try:
        user_id = create_user(app.extensions["samverkan_db"], email, password, Role(role), organisation_id, name)
    except WeakPassword as error:
        raise click.UsageError(f"{error} (at least {MIN_PASSWORD_LENGTH})") from error
    except ValueError as error:
        raise click.UsageError(str(error)) from error
    except IntegrityError as error:
        raise click.UsageError(f"A person with the e-mail address {email} exists already.") from error
    click.echo(f"Created user {user_id}: {email} ({role})")


@main.command()
@click.option("--tokens-file", type=click.Path(path_type=Path), default=Path("var/demo-tokens.json"))
@click.option(
    "--users-file", type=click.Path(path_type=Path), default=None, help="Default: demo-users.json beside the tokens."
)
@click.option(
    "--region", is_flag=True, help="Also the demo region: thousands of organisations, a year of meetings, plans."
)
def demo(tokens_file: Path, users_file: Path | None, region: bool) -> None:
    """Load demo data through the running services; write one demo token and one demo person per role."""
    users_file = users_file or tokens_file.with_name("demo-users.json")
    from . import demo as demo_data
    from .auth import role_of

    app = _app()
    created, organisation_id = demo_data.load(app.extensions["rpc"])
    click.echo("Demo data created: " + ", ".join(f"{count} {kind}" for kind, count in created.items()))
    engine = app.extensions["samverkan_db"]
    known = json.loads(tokens_file.read_text()) if tokens_file.exists() else {}
    demo_tokens = {
        role.value: known[role.value]
        if role.value in known and role_of(engine, known[role.value]) == role
        else create_token(engine, f"demo {role.value}", role, organisation_id if role is Role.ORGANISATION else None)
        for role in Role
    }
    tokens_file.parent.mkdir(parents=True, exist_ok=True)
    tokens_file.write_text(json.dumps(demo_tokens, indent=2) + "\n")
    tokens_file.chmod(0o600)
    organisation_id = organisation_id or demo_data.demo_organisation_id(app.extensions["rpc"])
    demo_users = demo_data.load_users(engine, users_file, organisation_id)
    if region:
        # The region's plans are the demo planner's, so that "Mina planer" shows them.
        planner = find_user(engine, demo_users["planner"]["email"])
        made = demo_data.load_region(app.extensions["rpc"], author_id=f"user:{planner.id}" if planner else None)
        click.echo("Demo region created: " + ", ".join(f"{count} {kind}" for kind, count in made.items()))
    click.echo(f"Demo people who log in at /logga-in (also in {users_file}):")
    for role_name, person in demo_users.items():
        click.echo(f"    {role_name:<13}{person['email']}  {person['password']}")


@main.group()
def audit() -> None:
    """The audit trail of writes."""


@audit.command("prune")
@click.option(
    "--keep-days",
    type=click.IntRange(min=0),
    default=None,
    help="Keep this many days instead of AUDIT_RETENTION_DAYS (0 keeps everything).",
)
@click.option("--dry-run", is_flag=True, help="Only say how many entries would go.")
def prune(keep_days: int | None, dry_run: bool) -> None:
    """Delete audit entries older than the retention period (AUDIT_RETENTION_DAYS; run it daily)."""
    from . import audit as trail

    app = _app()
    days = int(app.config["AUDIT_RETENTION_DAYS"]) if keep_days is None else keep_days
    engine = app.extensions["samverkan_db"]
    if days <= 0:
        click.echo("Retention is 0 days: every audit entry is kept.")
        return
    if dry_run:
        click.echo(f"{trail.count_older_than(engine, days)} audit entries are older than {days} days.")
        return
    click.echo(f"Deleted {trail.prune(engine, days)} audit entries older than {days} days.")


@main.group()
def idempotency() -> None:
    """The answers kept for POSTs sent with an Idempotency-Key."""


@idempotency.command("prune")
@click.option("--dry-run", is_flag=True, help="Only say how many keys would go.")
def prune_idempotency(dry_run: bool) -> None:
    """Delete Idempotency-Key answers older than 24 hours (run it daily or more often)."""
    from . import idempotency as keys

    engine = _app().extensions["samverkan_db"]
    if dry_run:
        click.echo(f"{keys.count_older_than_ttl(engine)} idempotency keys are older than 24 hours.")
        return
    click.echo(f"Deleted {keys.prune(engine)} idempotency keys older than 24 hours.")


@main.command()
def openapi() -> None:
    """Print the OpenAPI document generated from the schemas."""
    app = _app()
    json.dump(
        app.extensions["samverkan_api"].spec.to_dict(),
        sys.stdout,
        indent=2,
        ensure_ascii=False,
        sort_keys=True,
    )
    sys.stdout.write("\n")
