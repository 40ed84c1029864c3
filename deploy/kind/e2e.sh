#!/usr/bin/env bash
# End-to-end on a real cluster (kind). Needs docker (or podman), kind, kubectl and helm on PATH;
# it cannot run on machines without a container engine. From the repository root:
#   deploy/kind/e2e.sh            # KEEP=1 keeps the cluster afterwards
set -euo pipefail
cd "$(dirname "$0")/../.."
cluster=${CLUSTER:-configguard-e2e}
image=configguard/configguard:e2e
ns=configguard
app=edge   # namespace of deploy/examples/guarded-rollout

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
kubectl apply -f deploy/examples/guarded-rollout/00-namespace.yaml
kubectl apply -f deploy/examples/policies/
# The operator adds ConfigMaps to the webhook rules once the policies compile.
kubectl wait clusterconfigpolicy --all --for=condition=Ready --timeout=60s
sleep 3
if out=$(kubectl apply -f deploy/examples/configmaps/bad/bot-features-doubled.yaml 2>&1); then
  echo "expected a denial, got: $out" >&2; exit 1
fi
grep -q 'denied the request' <<<"$out" && echo "denied as expected: ${out%%$'\n'*}"

step "a GuardedRollout ships good config to Succeeded"
kubectl apply -f deploy/examples/guarded-rollout/
kubectl -n "$app" rollout status deploy/edge-proxy --timeout=180s
wait_phase bot-features Succeeded 300s
first=$(kubectl -n "$app" get guardedrollout bot-features -o jsonpath='{.status.stableRevision}')
features='{"name": "ua_entropy", "type": "float", "enabled": true}, {"name": "asn_score", "type": "float", "enabled": true}'
kubectl -n "$app" create configmap bot-features --dry-run=client -o yaml \
  --from-literal=features.json="{\"version\": 2, \"features\": [$features]}" | kubectl apply -f -
kubectl -n "$app" wait guardedrollout/bot-features --timeout=120s \
  --for=jsonpath='{.status.candidateRevision}'="$((first + 1))"
wait_phase bot-features Succeeded 900s

step "a crashing config is rolled back"
# Valid for the policy, but the example consumer's health check fails on it.
kubectl -n "$app" create configmap bot-features --dry-run=client -o yaml \
  --from-literal=features.json="{\"version\": 3, \"crash\": true, \"features\": [$features]}" | kubectl apply -f -
wait_phase bot-features RolledBack 900s
kubectl -n "$app" get guardedrollout bot-features -o jsonpath='{.status.failedRevisions}'; echo
if kubectl -n "$app" get configmap bot-features-stable -o jsonpath='{.data.features\.json}' | grep -q crash; then
  echo "stable ConfigMap was overwritten by the bad revision" >&2; exit 1
fi

step "uninstall leaves no webhook behind"
helm uninstall configguard -n "$ns" --wait
kubectl wait --for=delete validatingwebhookconfiguration/configguard --timeout=60s || true
if kubectl get validatingwebhookconfiguration configguard >/dev/null 2>&1; then
  echo "webhook configuration survived uninstall" >&2; exit 1
fi
echo "e2e passed"
