#!/usr/bin/env bash
# `make k8s-check`: render every kustomize overlay, validate it strictly, check what no
# schema checks, and lint it. With arguments, checks those kustomization directories instead
# (the tests use it on deliberately broken fixtures). Exit status 1 on any problem.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

K8S=deploy/k8s
TOOLS=$K8S/tools
CHECKOV_VENV="$VENV/checkov"

bash scripts/setup.sh

# The tools, at the pins in deploy/k8s/tools/, installed again only when a pin changed.
stamp="$VENV/.samverkan-k8s-tools"
wanted=$(cat "$TOOLS/requirements.txt" | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  say "Installing kubectl, kubernetes-validate and yamllint into .venv"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -c constraints.txt -r "$TOOLS/requirements.txt"
  echo "$wanted" > "$stamp"
fi
# checkov pins packaging<24 while pytest needs >=24: it gets a virtualenv of its own.
stamp="$CHECKOV_VENV/.samverkan-installed"
wanted=$(cat "$TOOLS/checkov-requirements.txt" | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  say "Installing checkov into .venv/checkov (its own virtualenv)"
  rm -rf "$CHECKOV_VENV"
  "$VENV/bin/python" -m venv "$CHECKOV_VENV"
  "$CHECKOV_VENV/bin/pip" install --quiet --disable-pip-version-check -r "$TOOLS/checkov-requirements.txt"
  echo "$wanted" > "$stamp"
fi

if [ "$#" -gt 0 ]; then
  targets=("$@")
  lint_paths=("$@")
else
  targets=("$K8S"/overlays/*/)
  targets=("${targets[@]%/}")
  lint_paths=("$K8S/base" "$K8S/overlays" "$K8S/tools")  # not the broken test fixtures
fi

say "yamllint"
"$VENV/bin/yamllint" --strict -c "$TOOLS/yamllint.yaml" "${lint_paths[@]}" \
  || die "k8s-check: yamllint found problems in ${lint_paths[*]} (see above)"

say "kustomize, Kubernetes schemas, cross-references, config keys"
"$VENV/bin/python" "$TOOLS/k8s_check.py" "${targets[@]}" || die "k8s-check: the manifests have problems (see above)"

say "checkov"
rendered=$(mktemp -d)
trap 'rm -rf "$rendered"' EXIT
for target in "${targets[@]}"; do
  out="$rendered/$(echo "$target" | tr '/' '_').yaml"
  "$VENV/bin/kubectl" kustomize "$target" > "$out"
  "$CHECKOV_VENV/bin/checkov" --config-file "$TOOLS/checkov.yaml" -f "$out" \
    || die "k8s-check: checkov failed on $target (see above; skip a check only in $TOOLS/checkov.yaml, with a reason)"
done
if [ "$#" -eq 0 ]; then
  say "checkov on the Dockerfiles"
  dockerfiles=()
  for dockerfile in services/*/Dockerfile gateway/Dockerfile; do dockerfiles+=(-f "$dockerfile"); done
  "$CHECKOV_VENV/bin/checkov" --config-file "$TOOLS/checkov-dockerfile.yaml" "${dockerfiles[@]}" \
    || die "k8s-check: checkov failed on the Dockerfiles (see above)"
fi
say "k8s-check: ${targets[*]} passed"
