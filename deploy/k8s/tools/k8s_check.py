"""Render kustomizations and check what an API server would refuse, and what it would not.

    python deploy/k8s/tools/k8s_check.py deploy/k8s/overlays/dev deploy/k8s/overlays/production

For each directory: ``kubectl kustomize`` renders it; every object is validated
strictly against the Kubernetes schemas (kubernetes-validate) of each version
in KUBE_VERSIONS, custom resources against the CRDs in ``deploy/k8s/crds/``;
then the cross-references no schema sees are checked (selectors, Secret and
ConfigMap keys, probe ports, HPA targets, PDBs, NetworkPolicies, security
context, and the environment of each container against the config file its
code reads).
Exit status 1 and one line per problem when anything is wrong.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import yaml

ROOT = Path(__file__).resolve().parents[3]
KUBE_VERSIONS = ("1.31", "1.37")  # the oldest we support (sleep preStop, PDB eviction policy) and the newest
CRD_DIR = ROOT / "deploy" / "k8s" / "crds"

# The config file whose ${NAME:default} placeholders a component's code reads, by the
# pod label samverkan/database (shared by its Deployment, init container and migration Job).
CONFIG_FILES = {
    "registry": "services/registry/config.yaml",
    "events": "services/events/config.yaml",
    "levels-advisor": "services/levels-advisor/config.yaml",
    "notifier": "services/notifier/config.yaml",
    "gateway": "gateway/src/samverkan_gateway/config.yaml",
}
PLACEHOLDER = re.compile(r"\$\{(?P<name>[^}^{:]+)(?::(?P<default>[^}]*))?\}")
COMMENT = re.compile(r"(^|\s)#.*$")  # YAML: a comment starts at a '#' after whitespace
ENV_REFERENCE = re.compile(r"\$\((?P<name>[A-Za-z_][A-Za-z0-9_.-]*)\)")

# Secrets the operators create for their custom resources, and the keys in them
# (RabbitMQ Cluster Operator: internal/resource/default_user_secret.go;
# CloudNativePG: docs "Connecting from an application", section Secrets).
OPERATOR_SECRETS = {
    ("rabbitmq.com", "RabbitmqCluster"): (
        "{name}-default-user",
        {"username", "password", "host", "port", "provider", "type", "default_user.conf"},
    ),
    ("postgresql.cnpg.io", "Cluster"): (
        "{name}-app",
        {"username", "password", "host", "port", "dbname", "uri", "jdbc-uri", "pgpass"},
    ),
}
WORKLOAD_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"}
ONE_SHOT_KINDS = {"Job", "CronJob"}  # no selector of their own; their pods end


def config_keys(path: Path) -> set[str]:
    """The environment variables a config file reads: its ``${NAME:default}`` placeholders outside comments."""
    text = "\n".join(COMMENT.sub("", line) for line in path.read_text(encoding="utf-8").splitlines())
    return {match.group("name") for match in PLACEHOLDER.finditer(text)}


def render(directory: Path) -> list[dict[str, Any]]:
    kubectl = Path(sys.executable).with_name("kubectl")
    result = subprocess.run(
        [str(kubectl) if kubectl.exists() else "kubectl", "kustomize", str(directory)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise CheckError(f"kustomize cannot render {directory}: {result.stderr.strip()}")
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


class CheckError(Exception):
    pass


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, obj: dict[str, Any], message: str) -> None:
        self.problems.append(f"{name_of(obj)}: {message}")


def name_of(obj: dict[str, Any]) -> str:
    return f"{obj.get('kind')}/{obj.get('metadata', {}).get('name')}"


def group_of(obj: dict[str, Any]) -> str:
    api_version = str(obj.get("apiVersion", ""))
    return api_version.split("/")[0] if "/" in api_version else ""


# --- schemas -----------------------------------------------------------------------------------


def load_crds(directory: Path) -> dict[tuple[str, str, str], dict[str, Any]]:
    """(group, version, kind) -> openAPIV3Schema, from every CRD file in ``directory``."""
    schemas: dict[tuple[str, str, str], dict[str, Any]] = {}
    for path in sorted(directory.glob("*.yaml")) if directory.is_dir() else []:
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if not doc or doc.get("kind") != "CustomResourceDefinition":
                continue
            spec = doc["spec"]
            for version in spec["versions"]:
                schema = version.get("schema", {}).get("openAPIV3Schema")
                if schema:
                    schemas[(spec["group"], version["name"], spec["names"]["kind"])] = schema
    return schemas


def unknown_fields(value: Any, schema: dict[str, Any], path: str) -> Iterator[str]:
    """Fields the schema does not name: the API server would silently drop them (pruning)."""
    if schema.get("x-kubernetes-preserve-unknown-fields"):
        return
    if isinstance(value, dict) and "properties" in schema:
        for key, item in value.items():
            if key in schema["properties"]:
                yield from unknown_fields(item, schema["properties"][key], f"{path}.{key}")
            elif not schema.get("additionalProperties"):
                yield f"{path}.{key}"
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(value):
            yield from unknown_fields(item, schema["items"], f"{path}[{index}]")


def check_schemas(
    objects: list[dict[str, Any]], crds: dict[tuple[str, str, str], dict[str, Any]], report: Report
) -> None:
    for obj in objects:
        group = group_of(obj)
        version = str(obj.get("apiVersion", "")).split("/")[-1]
        crd_schema = crds.get((group, version, str(obj.get("kind"))))
        if crd_schema is not None:
            for error in jsonschema.Draft7Validator(crd_schema).iter_errors(obj):
                where = ".".join(str(p) for p in error.absolute_path) or "(root)"
                report.add(obj, f"does not match its CRD schema at {where}: {error.message}")
            for where in unknown_fields(obj.get("spec", {}), crd_schema.get("properties", {}).get("spec", {}), "spec"):
                report.add(obj, f"unknown field {where} (not in its CRD schema)")
            continue
        if (group, obj.get("kind")) in OPERATOR_SECRETS:
            report.notes.append(
                f"{name_of(obj)} ({obj.get('apiVersion')}) NOT validated against a schema: its CRD is not "
                f"committed in deploy/k8s/crds/ (see deploy/k8s/crds/README.md)"
            )
            continue
        for kube_version in KUBE_VERSIONS:
            try:
                kubernetes_validate.validate(obj, kube_version, strict=True)
            except kubernetes_validate.SchemaNotFoundError:
                report.add(
                    obj,
                    f"unknown kind {obj.get('apiVersion')} {obj.get('kind')} (no schema in Kubernetes "
                    f"{kube_version} and no CRD in deploy/k8s/crds/)",
                )
                break
            except kubernetes_validate.ValidationError as error:
                where = ".".join(str(p) for p in error.path) or "(root)"
                report.add(obj, f"invalid for Kubernetes {kube_version} at {where}: {error.message}")
                break


# --- workloads ---------------------------------------------------------------------------------


def pod_template(obj: dict[str, Any]) -> dict[str, Any] | None:
    if obj.get("kind") not in WORKLOAD_KINDS:
        return None
    spec = obj.get("spec", {})
    if obj.get("kind") == "CronJob":
        spec = spec.get("jobTemplate", {}).get("spec", {})
    template: dict[str, Any] = spec.get("template", {})
    return template


def containers(pod_spec: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for kind in ("initContainers", "containers"):
        for container in pod_spec.get(kind) or []:
            yield kind, container


def matches(selector: dict[str, Any] | None, labels: dict[str, str]) -> bool:
    """Label selector semantics (matchLabels and matchExpressions), or a plain map (Service)."""
    if not selector:
        return False
    match_labels = (
        selector.get("matchLabels", {}) if ("matchLabels" in selector or "matchExpressions" in selector) else selector
    )
    if any(labels.get(key) != value for key, value in match_labels.items()):
        return False
    for expression in selector.get("matchExpressions", []) if "matchExpressions" in selector else []:
        key, operator, values = expression["key"], expression["operator"], expression.get("values", [])
        if (
            (operator == "In" and labels.get(key) not in values)
            or (operator == "NotIn" and labels.get(key) in values)
            or (operator == "Exists" and key not in labels)
            or (operator == "DoesNotExist" and key in labels)
        ):
            return False
    return True


def available_keys(objects: list[dict[str, Any]]) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Secret and ConfigMap names with their keys: those rendered, and those operators create."""
    secrets: dict[str, set[str]] = {}
    config_maps: dict[str, set[str]] = {}
    for obj in objects:
        name = obj.get("metadata", {}).get("name", "")
        if obj.get("kind") == "Secret":
            secrets[name] = set(obj.get("data") or {}) | set(obj.get("stringData") or {})
        elif obj.get("kind") == "ConfigMap":
            config_maps[name] = set(obj.get("data") or {}) | set(obj.get("binaryData") or {})
        created = OPERATOR_SECRETS.get((group_of(obj), str(obj.get("kind"))))
        if created:
            if obj.get("kind") == "Cluster" and obj.get("spec", {}).get("bootstrap", {}).get("initdb", {}).get(
                "secret"
            ):
                continue  # the owner's secret is then provided by the user, not created
            template, keys = created
            secrets[template.format(name=name)] = keys
    return secrets, config_maps


def check_env(
    obj: dict[str, Any],
    kind: str,
    container: dict[str, Any],
    secrets: dict[str, set[str]],
    config_maps: dict[str, set[str]],
    component: str | None,
    report: Report,
) -> None:
    label = f"{'init container' if kind == 'initContainers' else 'container'} {container.get('name')}"
    env = container.get("env") or []
    names = [item["name"] for item in env]
    defined: list[str] = []
    referenced: set[str] = set()
    for item in env:
        for reference in ENV_REFERENCE.findall(str(item.get("value", ""))):
            referenced.add(reference)
            if reference not in defined:
                report.add(
                    obj,
                    f"{label}: env {item['name']} uses $({reference}), which is not defined before it "
                    f"(Kubernetes would pass the text literally)",
                )
        defined.append(item["name"])
        source = item.get("valueFrom", {})
        if "secretKeyRef" in source and not source["secretKeyRef"].get("optional"):
            ref = source["secretKeyRef"]
            if ref["name"] not in secrets:
                report.add(
                    obj,
                    f"{label}: env {item['name']} reads Secret {ref['name']}, which is neither in the "
                    f"manifests nor created by an operator",
                )
            elif ref["key"] not in secrets[ref["name"]]:
                report.add(
                    obj,
                    f"{label}: env {item['name']} reads key {ref['key']!r} of Secret {ref['name']}, "
                    f"which has only {sorted(secrets[ref['name']])}",
                )
        if "configMapKeyRef" in source and not source["configMapKeyRef"].get("optional"):
            ref = source["configMapKeyRef"]
            if ref["name"] not in config_maps:
                report.add(obj, f"{label}: env {item['name']} reads ConfigMap {ref['name']}, which does not exist")
            elif ref["key"] not in config_maps[ref["name"]]:
                report.add(
                    obj,
                    f"{label}: env {item['name']} reads key {ref['key']!r} of ConfigMap {ref['name']}, "
                    f"which has only {sorted(config_maps[ref['name']])}",
                )
    for part in list(container.get("command") or []) + list(container.get("args") or []):
        for reference in ENV_REFERENCE.findall(str(part)):
            referenced.add(reference)
            if reference not in names:
                report.add(obj, f"{label}: command uses $({reference}), which is not in its env")
    if component is None or component not in CONFIG_FILES:
        return
    config_file = CONFIG_FILES[component]
    read = config_keys(ROOT / config_file)
    # Helpers only feed $(NAME) composition of another variable (e.g. a URL from operator Secret keys).
    given = {name for name in names if name not in referenced or name in read}
    if extra := sorted(given - read):
        report.add(obj, f"{label}: sets {extra}, which {config_file} does not read")
    if obj.get("kind") == "Deployment" and kind == "containers" and (missing := sorted(read - given)):
        report.add(obj, f"{label}: does not set {missing}, which {config_file} reads")


def check_security(
    obj: dict[str, Any], pod_spec: dict[str, Any], kind: str, container: dict[str, Any], report: Report
) -> None:
    label = f"{'init container' if kind == 'initContainers' else 'container'} {container.get('name')}"
    pod_context = pod_spec.get("securityContext") or {}
    context = container.get("securityContext") or {}
    if not context.get("runAsNonRoot", pod_context.get("runAsNonRoot")):
        report.add(obj, f"{label}: runAsNonRoot is not true")
    if context.get("runAsUser", pod_context.get("runAsUser")) == 0:
        report.add(obj, f"{label}: runs as user 0 (root)")
    if context.get("allowPrivilegeEscalation") is not False:
        report.add(obj, f"{label}: allowPrivilegeEscalation is not false")
    if context.get("privileged"):
        report.add(obj, f"{label}: is privileged")
    if context.get("readOnlyRootFilesystem") is not True:
        report.add(obj, f"{label}: readOnlyRootFilesystem is not true")
    if "ALL" not in (context.get("capabilities") or {}).get("drop", []):
        report.add(obj, f"{label}: does not drop ALL capabilities")
    resources = container.get("resources") or {}
    for part, keys in (("requests", ("cpu", "memory")), ("limits", ("memory",))):
        for key in keys:
            if key not in (resources.get(part) or {}):
                report.add(obj, f"{label}: no {part}.{key}")


def check_probes(obj: dict[str, Any], container: dict[str, Any], report: Report) -> None:
    ports = container.get("ports") or []
    names = {port.get("name") for port in ports}
    numbers = {port.get("containerPort") for port in ports}
    for probe_name in ("livenessProbe", "readinessProbe"):
        probe = container.get(probe_name)
        if not probe:
            report.add(obj, f"container {container.get('name')}: no {probe_name}")
            continue
        for handler in ("httpGet", "tcpSocket", "grpc"):
            if handler not in probe:
                continue
            port = probe[handler].get("port")
            if (isinstance(port, str) and port not in names) or (isinstance(port, int) and port not in numbers):
                report.add(
                    obj,
                    f"container {container.get('name')}: {probe_name} uses port {port!r}, which the "
                    f"container does not declare (ports: {sorted(str(p) for p in names | numbers if p)})",
                )


def check_workloads(objects: list[dict[str, Any]], report: Report) -> None:
    secrets, config_maps = available_keys(objects)
    for obj in objects:
        template = pod_template(obj)
        if template is None:
            continue
        labels = template.get("metadata", {}).get("labels") or {}
        selector = obj.get("spec", {}).get("selector")
        if obj.get("kind") not in ONE_SHOT_KINDS and not matches(selector, labels):
            report.add(obj, f"selector {selector} does not match its pod template labels {labels}")
        pod_spec = template.get("spec") or {}
        component = labels.get("samverkan/database")
        for kind, container in containers(pod_spec):
            check_env(obj, kind, container, secrets, config_maps, component, report)
            check_security(obj, pod_spec, kind, container, report)
            command = " ".join(str(part) for part in (container.get("command") or []) + (container.get("args") or []))
            migrates = re.search(r"samverkan-migrate|samverkan-gateway\s+migrate", command)
            if migrates and obj.get("kind") not in ONE_SHOT_KINDS:
                report.add(obj, f"container {container.get('name')} migrates at start: migrations belong in a Job")
            if obj.get("kind") == "Deployment" and kind == "containers":
                check_probes(obj, container, report)


# --- services, ingress, autoscaling, disruption ------------------------------------------------


def workloads_matching(objects: list[dict[str, Any]], selector: dict[str, Any] | None) -> list[dict[str, Any]]:
    return [
        obj
        for obj in objects
        if (template := pod_template(obj)) is not None
        and matches(selector, template.get("metadata", {}).get("labels") or {})
    ]


def check_services(objects: list[dict[str, Any]], report: Report) -> None:
    by_kind_name = {(obj.get("kind"), obj.get("metadata", {}).get("name")): obj for obj in objects}
    for obj in objects:
        if obj.get("kind") == "Service" and obj.get("spec", {}).get("selector"):
            targets = workloads_matching(objects, obj["spec"]["selector"])
            if not targets:
                report.add(obj, f"selector {obj['spec']['selector']} matches no pods of any workload")
            for port in obj["spec"].get("ports", []):
                target_port = port.get("targetPort", port.get("port"))
                for workload in targets:
                    pod_ports = [
                        p for _, c in containers(workload["spec"]["template"]["spec"]) for p in c.get("ports") or []
                    ]
                    if target_port not in {p.get("name") for p in pod_ports} | {
                        p.get("containerPort") for p in pod_ports
                    }:
                        report.add(obj, f"targetPort {target_port!r} is not a port of {name_of(workload)}")
        if obj.get("kind") == "Ingress":
            for rule in obj.get("spec", {}).get("rules", []):
                for path in rule.get("http", {}).get("paths", []):
                    backend = path.get("backend", {}).get("service", {})
                    service = by_kind_name.get(("Service", backend.get("name")))
                    if service is None:
                        report.add(obj, f"backend Service {backend.get('name')!r} does not exist")
                        continue
                    wanted = backend.get("port", {})
                    ports = service["spec"].get("ports", [])
                    if not any(
                        p.get("name") == wanted.get("name", object()) or p.get("port") == wanted.get("number")
                        for p in ports
                    ):
                        report.add(obj, f"backend port {wanted} is not a port of Service {backend.get('name')}")


def check_autoscaling(objects: list[dict[str, Any]], report: Report) -> None:
    by_kind_name = {(obj.get("kind"), obj.get("metadata", {}).get("name")): obj for obj in objects}
    hpa_min: dict[str, int] = {}
    for obj in objects:
        if obj.get("kind") != "HorizontalPodAutoscaler":
            continue
        spec = obj.get("spec", {})
        ref = spec.get("scaleTargetRef", {})
        target = by_kind_name.get((ref.get("kind"), ref.get("name")))
        if target is None:
            report.add(obj, f"scaleTargetRef {ref.get('kind')}/{ref.get('name')} does not exist")
            continue
        hpa_min[f"{ref.get('kind')}/{ref.get('name')}"] = int(spec.get("minReplicas", 1))
        if spec.get("minReplicas", 1) > spec.get("maxReplicas", 0):
            report.add(obj, "minReplicas is above maxReplicas")
        uses_cpu = any(m.get("resource", {}).get("name") == "cpu" for m in spec.get("metrics", []))
        if uses_cpu:
            for kind, container in containers(target["spec"]["template"]["spec"]):
                if kind == "initContainers":
                    continue  # utilisation counts the running containers
                if "cpu" not in ((container.get("resources") or {}).get("requests") or {}):
                    report.add(
                        obj,
                        f"scales {name_of(target)} on CPU, but its container {container.get('name')} "
                        f"has no CPU request (utilisation is a share of the request)",
                    )
    for obj in objects:
        if obj.get("kind") != "PodDisruptionBudget":
            continue
        spec = obj.get("spec", {})
        targets = workloads_matching(objects, spec.get("selector"))
        if not targets:
            report.add(obj, f"selector {spec.get('selector')} matches no pods of any workload")
        if str(spec.get("maxUnavailable", "")).rstrip("%") == "0":
            report.add(obj, "maxUnavailable 0 never allows an eviction: a node drain would hang")
        if "minAvailable" in spec:
            for target in targets:
                fewest = min(int(target["spec"].get("replicas", 1)), hpa_min.get(name_of(target), 10**6))
                minimum = spec["minAvailable"]
                blocking = minimum == "100%" if isinstance(minimum, str) else int(minimum) >= fewest
                if blocking:
                    report.add(
                        obj,
                        f"minAvailable {minimum} with as few as {fewest} replica(s) of {name_of(target)} "
                        f"blocks every eviction: a node drain would hang",
                    )
        if spec.get("unhealthyPodEvictionPolicy") != "AlwaysAllow":
            report.add(obj, "unhealthyPodEvictionPolicy is not AlwaysAllow: an unhealthy pod could block a drain")


def check_network_policies(objects: list[dict[str, Any]], report: Report) -> None:
    """Our pods sit under a deny-all policy, and only the gateway's may take ingress."""
    policies = [obj for obj in objects if obj.get("kind") == "NetworkPolicy"]

    def selects(policy: dict[str, Any], labels: dict[str, str]) -> bool:
        selector = policy.get("spec", {}).get("podSelector")
        return selector == {} or matches(selector, labels)  # an empty podSelector selects every pod

    for obj in objects:
        template = pod_template(obj)
        labels = (template or {}).get("metadata", {}).get("labels") or {}
        if labels.get("app.kubernetes.io/part-of") != "samverkan":
            continue
        selecting = [policy for policy in policies if selects(policy, labels)]
        if not any(
            {"Ingress", "Egress"} <= set(p["spec"].get("policyTypes", []))
            and not p["spec"].get("ingress")
            and not p["spec"].get("egress")
            for p in selecting
        ):
            report.add(obj, "its pods are under no deny-all NetworkPolicy (Ingress and Egress, no rules)")
        if labels.get("app.kubernetes.io/component") != "gateway":
            metrics_ports = metrics_ports_of(template or {})
            for policy in selecting:
                if any(not scrapes_metrics(rule, metrics_ports) for rule in policy["spec"].get("ingress") or []):
                    report.add(
                        policy,
                        f"lets traffic into the pods of {name_of(obj)}: only the gateway takes ingress "
                        "(the others only from a monitoring namespace, on their metrics port)",
                    )


def metrics_ports_of(template: dict[str, Any]) -> set[int | str]:
    """The container port named ``metrics`` of a pod template, by number and by name."""
    ports: set[int | str] = set()
    for container in template.get("spec", {}).get("containers", []):
        for port in container.get("ports") or []:
            if port.get("name") == "metrics":
                ports |= {port["containerPort"], "metrics"}
    return ports


def scrapes_metrics(rule: dict[str, Any], metrics_ports: set[int | str]) -> bool:
    """An ingress rule that only lets another namespace (Prometheus) reach the metrics port."""
    peers = rule.get("from") or []
    ports = rule.get("ports") or []
    return (
        bool(peers)
        and all(set(peer) == {"namespaceSelector"} and peer["namespaceSelector"] for peer in peers)
        and bool(ports)
        and all(port.get("port") in metrics_ports for port in ports)
    )


def check(objects: list[dict[str, Any]], crd_dir: Path = CRD_DIR) -> Report:
    report = Report()
    check_schemas(objects, load_crds(crd_dir), report)
    check_workloads(objects, report)
    check_services(objects, report)
    check_autoscaling(objects, report)
    check_network_policies(objects, report)
    return report


def check_directories(directories: Iterable[Path], crd_dir: Path = CRD_DIR) -> int:
    failed = 0
    for directory in directories:
        try:
            objects = render(directory)
        except CheckError as error:
            print(f"k8s-check: FAILED {directory}: {error}")
            failed += 1
            continue
        report = check(objects, crd_dir)
        for note in sorted(set(report.notes)):
            print(f"k8s-check: note: {directory}: {note}")
        if report.problems:
            failed += 1
            print(f"k8s-check: FAILED {directory}: {len(report.problems)} problem(s)")
            for problem in report.problems:
                print(f"  - {problem}")
        else:
            print(f"k8s-check: ok {directory}: {len(objects)} objects")
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directories", nargs="+", type=Path, help="kustomization directories")
    parser.add_argument("--crds", type=Path, default=CRD_DIR, help="directory of committed CRD files")
    args = parser.parse_args(argv)
    return check_directories(args.directories, args.crds)


if __name__ == "__main__":
    sys.exit(main())
