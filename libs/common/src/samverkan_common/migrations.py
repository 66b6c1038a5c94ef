"""Alembic, once for all services: each keeps its revisions in ``<package>/migrations``.

``samverkan-migrate samverkan_events --url postgresql://...`` upgrades that
service's database to the newest revision, creating the database first when
it is PostgreSQL and missing.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, create_engine, text
from sqlalchemy.engine import make_url

from .db import UTCDateTime


def alembic_config(package: str, url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", f"{package}:migrations")
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database of ``url`` (or the SQLite file's folder) if missing."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        return
    if parsed.get_backend_name() != "postgresql":
        return
    server = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        exists = connection.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": parsed.database}
        ).first()
        if not exists:
            connection.exec_driver_sql(f'CREATE DATABASE "{parsed.database}"')
    server.dispose()


def upgrade(package: str, url: str) -> None:
    ensure_database(url)
    command.upgrade(alembic_config(package, url), "head")


def _render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Write UTCDateTime as the plain column type, so revisions never import our code."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_env(target_metadata: MetaData, include_name: Any = None) -> None:
    """The body of every service's ``migrations/env.py``.

    ``include_name`` is alembic's filter of what autogenerate compares (e.g. to leave
    out tables a database makes for itself, such as SQLite's full-text index).
    """
    url = context.config.get_main_option("sqlalchemy.url")
    engine = create_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            render_item=_render_item,
            include_name=include_name,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description="Upgrade a service database to its newest revision.")
    parser.add_argument("package", help="the service's import name, e.g. samverkan_events")
    parser.add_argument("--url", help="database URL (default: $DATABASE_URL)")
    args = parser.parse_args()
    url = args.url or os.environ.get("DATABASE_URL")
    if not url:
        parser.error("give --url or set DATABASE_URL")
    upgrade(args.package, url)


if __name__ == "__main__":
    main()
