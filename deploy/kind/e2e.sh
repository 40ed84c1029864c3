#!/usr/bin/env bash
# End-to-end on a real cluster (kind). Needs docker (or podman), kind, kubectl and helm on PATH;
# it cannot run on machines without a container engine. From the repository root:
#   deploy/kind/e2e.sh            # KEEP=1 keeps the cluster afterwards
set -euo pipefail
cd "$(dirname "$0")/../.."
cluster=${CLUSTER:-configguard-e2e}
image=configguard/configguard:e2e
ns=configguard
app=edge

step() { printf '\n== %s\n' "$*"; }
wait_phase() { # rollout phase timeout
  kubectl -n "$app" wait "guardedrollout/$1" --for=jsonpath='{.status.phase}'="$2" --timeout="$3"
}
cleanup() { [[ -n "${KEEP:-}" ]] || kind delete cluster --name "$cluster" >/dev/null 2>&1 || true; }
trap cleanup EXIT

step "cluster and image"
kind create cluster --name "$cluster" --wait 120s
mvn -B -q package -DskipTests
docker build -q -f src/main/docker/Dockerfile.jvm -t "$image" .
kind load docker-image "$image" --name "$cluster"

step "install the chart"
helm install configguard helm/configguard -n "$ns" --create-namespace --wait --timeout 180s \
  --set image.repository="${image%:*}" --set image.tag="${image##*:}" --set image.pullPolicy=Never
kubectl -n "$ns" rollout status deploy/configguard --timeout=120s

step "a policy denies a bad ConfigMap"
kubectl create namespace "$app"
kubectl apply -f deploy/examples/policies/
# The operator adds ConfigMaps to the webhook rules once the policy is Ready.
kubectl wait clusterconfigpolicy --all --for=condition=Ready --timeout=60s
sleep 2
if out=$(kubectl -n "$app" apply -f deploy/examples/configmaps/bad-bot-features.yaml 2>&1); then
  echo "expected a denial, got: $out" >&2; exit 1
fi
grep -q 'denied the request' <<<"$out" && echo "denied as expected: ${out%%$'\n'*}"

step "a GuardedRollout ships good config to Succeeded"
kubectl -n "$app" apply -f deploy/examples/guarded-rollout/
kubectl -n "$app" rollout status deploy/edge-proxy --timeout=180s
wait_phase edge-proxy Succeeded 300s
first=$(kubectl -n "$app" get guardedrollout edge-proxy -o jsonpath='{.status.stableRevision}')
# A new revision of good content goes through every step.
kubectl -n "$app" patch configmap edge-proxy-config --type merge -p '{"data":{"greeting":"hello again"}}'
kubectl -n "$app" wait guardedrollout/edge-proxy --timeout=60s \
  --for=jsonpath='{.status.candidateRevision}'="$((first + 1))"
wait_phase edge-proxy Succeeded 600s

step "a crashing config is rolled back"
# The example consumer exits when its config says crash: pods restart during bake.
kubectl -n "$app" patch configmap edge-proxy-config --type merge -p '{"data":{"crash":"true"}}'
wait_phase edge-proxy RolledBack 600s
kubectl -n "$app" get guardedrollout edge-proxy -o jsonpath='{.status.failedRevisions}'; echo
stable=$(kubectl -n "$app" get configmap edge-proxy-stable -o jsonpath='{.data.crash}')
[[ -z "$stable" ]] || { echo "stable ConfigMap was overwritten by the bad revision" >&2; exit 1; }

step "uninstall leaves no webhook behind"
helm uninstall configguard -n "$ns" --wait
kubectl wait --for=delete validatingwebhookconfiguration/configguard --timeout=60s || true
if kubectl get validatingwebhookconfiguration configguard >/dev/null 2>&1; then
  echo "webhook configuration survived uninstall" >&2; exit 1
fi
echo "e2e passed"
