"""Samverkan's gateway: the HTTP API and pages in front of the services."""

from .app import create_app

__all__ = ["create_app"]
