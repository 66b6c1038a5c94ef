"""`make k8s-check` passes on every overlay and fails, saying why, on each broken fixture."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
K8S = ROOT / "deploy" / "k8s"
FIXTURES = K8S / "tests" / "fixtures"
CHECKER = K8S / "tools" / "k8s_check.py"
OVERLAYS = sorted(path for path in (K8S / "overlays").iterdir() if (path / "kustomization.yaml").exists())

# fixture directory -> what the check must say about it
BROKEN = {
    "service-selector-matches-nothing": "Service/gateway: selector {'app.kubernetes.io/name': 'gateway-typo'} "
    "matches no pods of any workload",
    "deployment-selector-mismatch": "Deployment/events: selector {'matchLabels': {'app.kubernetes.io/name': 'event'}} "
    "does not match its pod template labels",
    "secret-key-missing": "reads key 'passwd' of Secret registry-db-app, which has only",
    "configmap-key-missing": "env MAX_WORKERS reads key 'MAX_WORKERS' of ConfigMap samverkan-config, which has only",
    "probe-port-missing": "Deployment/gateway: container gateway: readinessProbe uses port 'metrics', "
    "which the container does not declare",
    "hpa-target-missing": "HorizontalPodAutoscaler/notifier: scaleTargetRef Deployment/notifer does not exist",
    "hpa-without-cpu-request": "HorizontalPodAutoscaler/events: scales Deployment/events on CPU, "
    "but its container events has no CPU request",
    "pdb-blocks-drain": "PodDisruptionBudget/registry: minAvailable 1 with as few as 1 replica(s) "
    "of Deployment/registry blocks every eviction",
    "schema-invalid": "Deployment/gateway: invalid for Kubernetes 1.31 at "
    "spec.template.spec.containers.0.readinessProbe: Additional properties are not allowed ('periodSecond'",
    "unknown-kind": "ServiceMonitor/gateway: unknown kind monitoring.coreos.com/v1 ServiceMonitor",
    "env-not-read-by-code": "Deployment/registry: container registry: sets ['REGISTRY_CACHE_SIZE'], "
    "which services/registry/config.yaml does not read",
    "env-missing-config-key": "Deployment/notifier: container notifier: does not set ['MAX_WORKERS'], "
    "which services/notifier/config.yaml reads",
    "migrates-at-start": "Deployment/registry: container registry migrates at start: migrations belong in a Job",
    "privilege-escalation": "Deployment/gateway: container gateway: allowPrivilegeEscalation is not false",
    "env-reference-undefined": "env AMQP_URI uses $(RABBITMQ_USER), which is not defined before it",
    "network-policy-opens-a-service": "NetworkPolicy/registry-from-anywhere: lets traffic into the pods of "
    "Deployment/registry: only the gateway takes ingress (the others only from a monitoring namespace, "
    "on their metrics port)",
    "no-default-deny": "Job/migrate-registry: its pods are under no deny-all NetworkPolicy",
    "metrics-policy-opens-another-port": "NetworkPolicy/registry-from-monitoring: lets traffic into the pods of "
    "Deployment/registry: only the gateway takes ingress",
}


def run_checker(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(CHECKER), *map(str, args)], capture_output=True, text=True, cwd=ROOT, check=False
    )


def run_script(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(ROOT / "scripts" / "k8s-check.sh"), *map(str, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )


def test_there_are_dev_and_production_overlays():
    assert {overlay.name for overlay in OVERLAYS} >= {"dev", "production"}


@pytest.mark.parametrize("overlay", OVERLAYS, ids=lambda path: path.name)
def test_every_overlay_passes_the_check(overlay):
    result = run_checker(overlay)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"k8s-check: ok {overlay}" in result.stdout


def test_every_broken_fixture_has_a_test():
    fixtures = {path.name for path in FIXTURES.iterdir() if path.is_dir()}
    assert fixtures == set(BROKEN) | {"crd-schema-violation", "yamllint-broken", "host-network"}


@pytest.mark.parametrize(("fixture", "message"), sorted(BROKEN.items()))
def test_broken_fixture_fails_with_a_clear_message(fixture, message):
    result = run_checker(FIXTURES / fixture)
    assert result.returncode == 1, result.stdout
    assert f"k8s-check: FAILED {FIXTURES / fixture}" in result.stdout
    assert message in result.stdout


def test_custom_resource_is_checked_against_its_committed_crd():
    fixture = FIXTURES / "crd-schema-violation"
    result = run_checker("--crds", fixture / "crds", fixture)
    assert result.returncode == 1, result.stdout
    assert "Widget/broken: does not match its CRD schema at spec.replicas: 'three' is not of type 'integer'" in (
        result.stdout
    )
    assert "Widget/broken: unknown field spec.colour (not in its CRD schema)" in result.stdout


def test_custom_resource_without_a_crd_is_an_unknown_kind():
    result = run_checker(FIXTURES / "crd-schema-violation")
    assert result.returncode == 1
    assert "Widget/broken: unknown kind samverkan.test/v1 Widget" in result.stdout


def test_operator_resources_without_committed_crds_are_reported_as_not_validated():
    result = run_checker(K8S / "overlays" / "dev")
    assert "RabbitmqCluster/rabbitmq (rabbitmq.com/v1beta1) NOT validated against a schema" in result.stdout
    assert "Cluster/registry-db (postgresql.cnpg.io/v1) NOT validated against a schema" in result.stdout


def test_yamllint_failure_fails_the_whole_check():
    result = run_script(FIXTURES / "yamllint-broken")
    assert result.returncode == 1
    assert 'duplication of key "namespace" in mapping' in result.stdout
    assert "k8s-check: yamllint found problems" in result.stderr


def test_checkov_failure_fails_the_whole_check():
    result = run_script(FIXTURES / "host-network")
    assert result.returncode == 1, result.stdout
    assert "CKV_K8S_19" in result.stdout  # containers should not share the host network namespace
    assert "k8s-check: checkov failed on" in result.stderr
