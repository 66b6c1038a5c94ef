"""The WSGI entry for gunicorn: ``gunicorn samverkan_gateway.wsgi:app``."""

from .app import create_app

app = create_app()
