"""Each container gets exactly the environment its code reads, in every overlay.

The keys are read from the config files themselves (services/*/config.yaml and the
gateway's config.yaml) through samverkan_common.config.expand_env, the function the
code uses, so a key added there fails this test until the manifests set it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from samverkan_common.config import expand_env

ROOT = Path(__file__).resolve().parents[3]
K8S = ROOT / "deploy" / "k8s"
OVERLAYS = sorted(path for path in (K8S / "overlays").iterdir() if (path / "kustomization.yaml").exists())
# component (Deployment name, pod label samverkan/database) -> the config file its code reads
CONFIG_FILES = {path.parent.name: path for path in sorted((ROOT / "services").glob("*/config.yaml"))} | {
    "gateway": ROOT / "gateway" / "src" / "samverkan_gateway" / "config.yaml"
}
COMMENT = re.compile(r"(^|\s)#.*$")
REFERENCE = re.compile(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")


class RecordingEnviron(dict[str, str]):
    """An empty environment that remembers every name the code looks up."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: set[str] = set()

    def __contains__(self, name: object) -> bool:
        self.asked.add(str(name))
        return False

    def get(self, name: str, default: Any = None) -> Any:  # type: ignore[override]
        self.asked.add(name)
        return default


def keys_read(config_file: Path, monkeypatch: pytest.MonkeyPatch) -> set[str]:
    text = "\n".join(COMMENT.sub("", line) for line in config_file.read_text(encoding="utf-8").splitlines())
    environ = RecordingEnviron()
    monkeypatch.setattr(os, "environ", environ)
    try:
        expand_env(text)
    finally:
        monkeypatch.undo()
    return environ.asked


def render(overlay: Path) -> list[dict[str, Any]]:
    kubectl = Path(sys.executable).with_name("kubectl")
    output = subprocess.run([str(kubectl), "kustomize", str(overlay)], capture_output=True, text=True, check=True)
    return [doc for doc in yaml.safe_load_all(output.stdout) if doc]


def given(container: dict[str, Any]) -> tuple[set[str], set[str]]:
    """(variables the process gets for its own use, helpers that only compose another variable)."""
    env = container.get("env") or []
    referenced = {name for item in env for name in REFERENCE.findall(str(item.get("value", "")))}
    referenced |= {name for part in container.get("command") or [] for name in REFERENCE.findall(str(part))}
    names = {item["name"] for item in env}
    return names, names & referenced


@pytest.fixture(scope="module", params=OVERLAYS, ids=lambda path: path.name)
def rendered(request: pytest.FixtureRequest) -> list[dict[str, Any]]:
    return render(request.param)


def test_the_config_files_read_the_documented_keys(monkeypatch):
    assert {"AMQP_URI", "REGISTRY_DATABASE_URL", "MAX_WORKERS"} <= keys_read(CONFIG_FILES["registry"], monkeypatch)
    assert {"GATEWAY_DATABASE_URL", "RPC_TIMEOUT"} <= keys_read(CONFIG_FILES["gateway"], monkeypatch)


@pytest.mark.parametrize("component", sorted(CONFIG_FILES))
def test_each_component_container_gets_exactly_the_keys_its_config_reads(component, rendered, monkeypatch):
    read = keys_read(CONFIG_FILES[component], monkeypatch)
    deployments = [obj for obj in rendered if obj["kind"] == "Deployment" and obj["metadata"]["name"] == component]
    assert deployments, f"no Deployment for {component}"
    (container,) = [c for c in deployments[0]["spec"]["template"]["spec"]["containers"] if c["name"] == component]
    names, helpers = given(container)
    assert names - (helpers - read) == read


@pytest.mark.parametrize("component", sorted(CONFIG_FILES))
def test_migration_job_and_init_container_get_only_keys_the_code_reads(component, rendered, monkeypatch):
    read = keys_read(CONFIG_FILES[component], monkeypatch)
    (database_url,) = [key for key in read if key.endswith("_DATABASE_URL")]
    pods = [
        obj["spec"]["template"]["spec"]
        for obj in rendered
        if obj["kind"] in {"Job", "Deployment"}
        and obj["spec"]["template"]["metadata"]["labels"].get("samverkan/database") == component
    ]
    one_shot = [c for pod in pods for c in pod.get("initContainers") or []]
    one_shot += [
        c
        for obj in rendered
        if obj["kind"] == "Job"
        for c in obj["spec"]["template"]["spec"]["containers"]
        if obj["spec"]["template"]["metadata"]["labels"].get("samverkan/database") == component
    ]
    assert len(one_shot) == 2, "one migration Job and one init container that waits for it"
    for container in one_shot:
        names, helpers = given(container)
        assert database_url in names
        assert names - helpers <= read
