"""The images the manifests run: one Dockerfile per component, built the way the manifests expect.

No Docker engine runs here, so these read the Dockerfiles; building and running the
images is for CI with Docker (see deploy/k8s/README.md).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[3]
COMPONENTS = {
    "registry": ("services/registry", "samverkan_registry"),
    "events": ("services/events", "samverkan_events"),
    "levels-advisor": ("services/levels-advisor", "samverkan_advisor"),
    "notifier": ("services/notifier", "samverkan_notifier"),
    "gateway": ("gateway", "samverkan_gateway"),
}


def instructions(dockerfile: Path) -> list[tuple[str, str]]:
    text = re.sub(r"\\\n\s*", " ", dockerfile.read_text(encoding="utf-8"))
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def rendered_deployment(name: str) -> dict:
    kubectl = Path(sys.executable).with_name("kubectl")
    output = subprocess.run(
        [str(kubectl), "kustomize", str(ROOT / "deploy/k8s/overlays/production")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return next(
        d for d in yaml.safe_load_all(output) if d and d["kind"] == "Deployment" and d["metadata"]["name"] == name
    )


@pytest.mark.parametrize("component", sorted(COMPONENTS))
def test_image_is_multi_stage_non_root_and_without_healthcheck(component):
    folder, _ = COMPONENTS[component]
    steps = instructions(ROOT / folder / "Dockerfile")
    froms = [arg for op, arg in steps if op == "FROM"]
    assert len(froms) == 2, "a builder stage, then the runtime"
    assert froms[0].endswith(" AS build")
    runtime = steps[[op for op, _ in steps].index("FROM", 1) :]
    assert not any(op == "RUN" and re.search(r"pip (wheel|install)|apt-get", arg) for op, arg in runtime)
    assert ("COPY", "--from=build /opt/venv /opt/venv") in runtime
    assert [arg for op, arg in runtime if op == "USER"] == ["10001:10001"]
    assert "HEALTHCHECK" not in {op for op, _ in steps}
    assert (ROOT / folder / "Dockerfile.dockerignore").exists()


@pytest.mark.parametrize("component", sorted(COMPONENTS))
def test_image_user_is_the_one_the_manifests_run_as(component):
    pod = rendered_deployment(component)["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsUser"] == 10001
    assert pod["securityContext"]["runAsGroup"] == 10001


@pytest.mark.parametrize("component", sorted(set(COMPONENTS) - {"gateway"}))
def test_service_image_runs_nameko_on_the_config_its_probes_read(component):
    folder, package = COMPONENTS[component]
    steps = instructions(ROOT / folder / "Dockerfile")
    assert ("COPY", f"{folder}/config.yaml /app/config.yaml") in steps
    (command,) = [json.loads(arg) for op, arg in steps if op == "CMD"]
    assert command == ["nameko", "run", "--config", "/app/config.yaml", f"{package}.entrypoints.service"]
    container = rendered_deployment(component)["spec"]["template"]["spec"]["containers"][0]
    for probe in ("readinessProbe", "livenessProbe"):
        assert container[probe]["exec"]["command"][-2:] == ["--config", "/app/config.yaml"]


def gunicorn_settings(command: list[str], monkeypatch) -> Any:
    """The settings gunicorn runs with, read by gunicorn itself from this command line and its config module."""
    from gunicorn.app.wsgiapp import WSGIApplication

    monkeypatch.setattr(sys, "argv", command)
    monkeypatch.delenv("GUNICORN_CMD_ARGS", raising=False)
    return WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]").cfg


def gateway_image_command() -> list[str]:
    (command,) = [json.loads(arg) for op, arg in instructions(ROOT / "gateway" / "Dockerfile") if op == "CMD"]
    return list(command)


def test_gateway_image_runs_gunicorn_gthread_on_the_port_the_manifests_probe(monkeypatch):
    from gunicorn.workers.gthread import ThreadWorker

    command = gateway_image_command()
    assert command[0] == "gunicorn"
    assert command[-1] == "samverkan_gateway.wsgi:app"
    settings = gunicorn_settings(command, monkeypatch)
    assert issubclass(settings.worker_class, ThreadWorker)
    assert settings.bind == ["0.0.0.0:8000"]
    # The image's user has no $HOME for a control socket, and the root file system is read-only.
    assert settings.control_socket_disable
    container = rendered_deployment("gateway")["spec"]["template"]["spec"]["containers"][0]
    assert {"name": "http", "containerPort": 8000, "protocol": "TCP"} in container["ports"]
    pod = rendered_deployment("gateway")["spec"]["template"]["spec"]
    assert pod["terminationGracePeriodSeconds"] > (
        container["lifecycle"]["preStop"]["sleep"]["seconds"] + settings.graceful_timeout
    )


def test_gateway_runs_no_more_workers_than_its_cores_and_make_up_runs_the_same(monkeypatch):
    image = gunicorn_settings(gateway_image_command(), monkeypatch)
    container = rendered_deployment("gateway")["spec"]["template"]["spec"]["containers"][0]
    limit = str(container["resources"]["limits"]["cpu"])
    cores = int(limit[:-1]) / 1000 if limit.endswith("m") else float(limit)
    # A worker beyond the pod's cores adds its memory and no CPU; scale with replicas instead.
    assert image.workers <= max(1, int(cores))
    procfile = (ROOT / "Procfile").read_text(encoding="utf-8")
    (gateway_line,) = [line for line in procfile.splitlines() if line.startswith("gateway:")]
    words = gateway_line.split()
    local = gunicorn_settings(words[words.index("gunicorn") :], monkeypatch)
    for name in ("worker_class", "workers", "threads", "graceful_timeout", "limit_request_line"):
        assert getattr(local, name) == getattr(image, name), name
