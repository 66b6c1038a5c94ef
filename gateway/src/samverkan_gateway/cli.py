"""``samverkan-gateway``: the gateway's operator commands."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import Flask

from samverkan_common.migrations import upgrade

from .auth import Role, create_token


def _app() -> Flask:
    from .app import create_app

    return create_app()


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


@main.command()
@click.option("--tokens-file", type=click.Path(path_type=Path), default=Path("var/demo-tokens.json"))
def demo(tokens_file: Path) -> None:
    """Load demo data through the running services and write one demo token per role."""
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
