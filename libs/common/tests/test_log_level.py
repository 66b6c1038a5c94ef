"""LOG_LEVEL is honoured by every process: each service's nameko LOGGING, the gateway and gunicorn."""

from __future__ import annotations

import json
import logging
import logging.config
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from nameko.cli.main import setup_yaml_parser

ROOT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent
SERVICES = ["events", "registry", "levels-advisor", "notifier"]


@pytest.fixture
def root_logger():
    """The root logger as it was: dictConfig replaces its handlers and level."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield root
    root.handlers[:] = handlers
    root.setLevel(level)


def nameko_logging(service: str) -> dict:
    """The service's LOGGING section, read as ``nameko run`` reads config.yaml (environment placeholders)."""
    setup_yaml_parser()
    text = (ROOT / "services" / service / "config.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)["LOGGING"]


def lines(stderr: str) -> list[dict]:
    return [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]


@pytest.mark.parametrize("service", SERVICES)
def test_debug_shows_a_debug_line(service, monkeypatch, capsys, root_logger):
    monkeypatch.setenv("LOG_LEVEL", "debug")
    logging.config.dictConfig(nameko_logging(service))

    logging.getLogger("samverkan.test").debug("a debug line")

    [line] = [line for line in lines(capsys.readouterr().err) if line["message"] == "a debug line"]
    assert line["level"] == "DEBUG"
    assert line["service"] == service.replace("levels-advisor", "levels_advisor")


@pytest.mark.parametrize("service", SERVICES)
def test_warning_hides_info_lines(service, monkeypatch, capsys, root_logger):
    monkeypatch.setenv("LOG_LEVEL", "WARNING")
    logging.config.dictConfig(nameko_logging(service))

    logging.getLogger("samverkan.test").info("an info line")
    logging.getLogger("samverkan.test").warning("a warning line")

    assert [line["message"] for line in lines(capsys.readouterr().err)] == ["a warning line"]


@pytest.mark.parametrize("service", SERVICES)
def test_info_is_the_default(service, monkeypatch, capsys, root_logger):
    monkeypatch.delenv("LOG_LEVEL", raising=False)
    logging.config.dictConfig(nameko_logging(service))

    logging.getLogger("samverkan.test").debug("a debug line")
    logging.getLogger("samverkan.test").info("an info line")

    assert [line["message"] for line in lines(capsys.readouterr().err)] == ["an info line"]


def test_a_service_with_a_log_level_that_is_no_level_stops_at_start_and_says_why():
    started = subprocess.run(
        [
            str(BIN / "nameko"),
            "run",
            "--config",
            "services/registry/config.yaml",
            "samverkan_registry.entrypoints.service",
        ],
        cwd=ROOT,
        env={**os.environ, "LOG_LEVEL": "LOUD", "AMQP_URI": "amqp://guest:guest@127.0.0.1:1/"},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert started.returncode != 0
    assert "LOG_LEVEL='LOUD' is not a log level: use one of DEBUG, INFO, WARNING, ERROR, CRITICAL" in started.stderr


def gateway_start(log_level: str) -> subprocess.CompletedProcess[str]:
    """Build the gateway as its WSGI module does (create_app), log one debug and one info line, in a fresh process."""
    program = (
        "import logging\n"
        "from samverkan_gateway import create_app\n"
        "create_app({'GATEWAY_DATABASE_URL': 'sqlite://', 'AMQP_URI': 'amqp://guest:guest@127.0.0.1:1/'})\n"
        "logging.getLogger('samverkan_gateway.test').debug('a debug line')\n"
        "logging.getLogger('samverkan_gateway.test').info('an info line')\n"
        "logging.getLogger('samverkan_gateway.test').warning('a warning line')\n"
    )
    return subprocess.run(
        [sys.executable, "-c", program],
        cwd=ROOT,
        env={**os.environ, "LOG_LEVEL": log_level},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("log_level", "shown"),
    [
        ("DEBUG", ["a debug line", "an info line", "a warning line"]),
        ("", ["an info line", "a warning line"]),
        ("WARNING", ["a warning line"]),
    ],
)
def test_the_gateway_logs_at_log_level(log_level, shown):
    started = gateway_start(log_level)

    assert started.returncode == 0, started.stderr
    logged = [line for line in lines(started.stderr) if line["logger"] == "samverkan_gateway.test"]
    assert [line["message"] for line in logged] == shown
    assert {line["service"] for line in logged} == {"gateway"}


def test_the_gateway_with_a_log_level_that_is_no_level_stops_at_start_and_says_why():
    started = gateway_start("verbose")

    assert started.returncode != 0
    assert "LOG_LEVEL='verbose' is not a log level" in started.stderr


@pytest.mark.parametrize(("log_level", "gunicorn_level"), [("warning", "warning"), ("", "info"), ("Debug", "debug")])
def test_gunicorn_logs_at_log_level(log_level, gunicorn_level):
    read = subprocess.run(
        [sys.executable, "-c", "from samverkan_gateway import serving; print(serving.loglevel)"],
        env={**os.environ, "LOG_LEVEL": log_level},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    assert read.stdout.strip() == gunicorn_level
