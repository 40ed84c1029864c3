#!/usr/bin/env bash
# Write throughput through a real kube-apiserver, with and without admission (bench/README.md,
# "Real path"). Needs a running kube-apiserver you own (nothing here builds or starts one), kubectl,
# `hey` (Debian package hey) and a packaged configguard (mvn -B -q package -DskipTests).
#
#   KUBECONFIG=... TOKEN=... bench/realpath/run.sh
#
# TOKEN is a bearer token of a user allowed to update ConfigMaps (hey cannot present client
# certificates). Each round runs four scenarios one after another on the same machine, all PUTting
# the 60-feature bot-features ConfigMap of deploy/examples/configmaps/good (an unconditional
# update: no resourceVersion) with $CONNECTIONS connections for $DURATION:
#   none      no admission webhook or policy
#   vap       a ValidatingAdmissionPolicy with one CEL size check (admissionregistration v1beta1:
#             the API server needs --feature-gates=ValidatingAdmissionPolicy=true and
#             --runtime-config=admissionregistration.k8s.io/v1beta1=true on 1.28)
#   guarded   configguard serving out of cluster with the chart's JVM options, the example
#             ClusterConfigPolicy bot-features installed, its webhook configuration written by
#             configguard itself (URL + CA, matchConditions from the policies)
#   unrelated the same configguard, PUTting ConfigMap `unrelated` that no policy or freeze matches
#             (webhook_cpu is then the process's whole CPU during the run: ~0 when the API
#             server does not call it)
# and prints req/s, p50, p99 per scenario and round, and the ratios to `none` of the same round.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
: "${KUBECONFIG:?set KUBECONFIG to a cluster-admin kubeconfig}" "${TOKEN:?set TOKEN to a bearer token}"
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-20s}
CONNECTIONS=${CONNECTIONS:-8}
WARMUP=${WARMUP:-60s}  # of configguard's JIT, before its measured scenarios, every round: a fresh process
# spends ~3 ms of CPU a request in its first 20 s and ~0.5 ms after 40 s (bench/README.md)
NS=${NS:-bench-realpath}
PORT=${PORT:-8443}
work=target/bench-realpath
mkdir -p "$work"
server=$(kubectl config view --minify -o jsonpath='{.clusters[0].cluster.server}')
javaopts=$(sed -n 's/^javaOpts: *"\(.*\)"/\1/p' helm/configguard/values.yaml)
app=target/quarkus-app/quarkus-run.jar
[[ -f $app ]] || mvn -B -q package -DskipTests

# A serving certificate the API server can verify (configguard writes its CA into the webhook).
if [[ ! -f $work/tls.crt ]]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 7 \
    -keyout "$work/tls.key" -out "$work/tls.crt" -subj /CN=localhost \
    -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" 2>/dev/null
fi

kubectl apply -f crds/ >/dev/null
kubectl create namespace "$NS" --dry-run=client -o yaml | kubectl apply -f - >/dev/null
sed "s/namespace: edge/namespace: $NS/" deploy/examples/configmaps/good/bot-features.yaml | kubectl apply -f - >/dev/null
kubectl -n "$NS" get configmap bot-features -o json |
  python3 -c 'import json,sys; o=json.load(sys.stdin); m=o["metadata"]; [m.pop(k,None) for k in ("resourceVersion","uid","creationTimestamp","managedFields","annotations")]; print(json.dumps(o))' >"$work/guarded.json"
python3 -c 'import json,sys; o=json.load(open(sys.argv[1])); o["metadata"]["name"]="unrelated"; print(json.dumps(o))' "$work/guarded.json" >"$work/unrelated.json"
kubectl -n "$NS" create -f "$work/unrelated.json" --dry-run=client -o yaml | kubectl apply -f - >/dev/null
echo "body: $(wc -c <"$work/guarded.json") bytes, server $server, javaOpts: $javaopts"

vap_on() {
  cat <<YAML | kubectl apply -f - >/dev/null
apiVersion: admissionregistration.k8s.io/v1beta1
kind: ValidatingAdmissionPolicy
metadata: {name: bench-bot-features-size}
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules: [{apiGroups: [""], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [configmaps]}]
  validations:
    - expression: "!has(object.data) || !('features.json' in object.data) || size(object.data['features.json']) <= 131072"
      message: features.json is larger than 128 KiB
---
apiVersion: admissionregistration.k8s.io/v1beta1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: bench-bot-features-size}
spec:
  policyName: bench-bot-features-size
  validationActions: [Deny]
YAML
  sleep 3
}
vap_off() {
  kubectl delete validatingadmissionpolicybinding bench-bot-features-size --ignore-not-found >/dev/null
  kubectl delete validatingadmissionpolicy bench-bot-features-size --ignore-not-found >/dev/null
  sleep 2
}
guard_pid=
guard_on() {
  kubectl apply -f deploy/examples/policies/bot-features.yaml >/dev/null
  # shellcheck disable=SC2086
  java $javaopts -Dquarkus.http.ssl-port=$PORT \
    -Dconfigguard.tls.cert-file="$work/tls.crt" -Dconfigguard.tls.key-file="$work/tls.key" \
    -Dconfigguard.tls.ca-file="$work/tls.crt" -Dconfigguard.webhook.url="https://127.0.0.1:$PORT/validate" \
    -jar "$app" serve >"$work/serve.log" 2>&1 &
  guard_pid=$!
  for _ in $(seq 1 120); do
    curl -sk "https://127.0.0.1:$PORT/q/health/ready" 2>/dev/null | grep -q '"UP"' && break
    sleep 0.5
  done
  # The configuration is written once the policies are compiled; wait until it carries the URL.
  for _ in $(seq 1 40); do
    kubectl get validatingwebhookconfiguration configguard -o jsonpath='{.webhooks[0].clientConfig.url}' 2>/dev/null | grep -q 127.0.0.1 && break
    sleep 0.5
  done
  sleep 2
  # Proof that the webhook judges guarded writes: a doubled feature file must be refused.
  if kubectl -n "$NS" patch configmap bot-features --type=merge \
       -p "{\"data\":{\"features.json\":$(python3 -c 'import json; print(json.dumps(json.dumps({"version":1,"features":[{"name":"f%d"%(i%3),"type":"int"} for i in range(300)]})))')}}" >/dev/null 2>&1; then
    echo "configguard did not refuse a bad bot-features write: the webhook is not in the path" >&2; exit 1
  fi
}
guard_off() {
  [[ -n $guard_pid ]] && kill "$guard_pid" && wait "$guard_pid" 2>/dev/null || true
  guard_pid=
  kubectl delete validatingwebhookconfiguration configguard --ignore-not-found >/dev/null
  sleep 2
}
trap 'guard_off; vap_off' EXIT

cpu_ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
# load CONFIGMAP BODY: one hey run; prints "req/s p50 p99" (ms)
load() {
  local url="$server/api/v1/namespaces/$NS/configmaps/$1" out
  out=$(hey -z "$DURATION" -c "$CONNECTIONS" -m PUT -T application/json -H "Authorization: Bearer $TOKEN" \
    -D "$work/$2.json" "$url")
  local codes; codes=$(grep -A5 'Status code distribution' <<<"$out" | grep -v '\[200\]' | grep '\[' || true)
  [[ -z $codes ]] || { echo "non-200 answers for $1: $codes" >&2; exit 1; }
  awk '/Requests\/sec/ {r=$2} /50%% in|50% in/ {p50=$3*1000} /99%% in|99% in/ {p99=$3*1000} END {printf "%.0f %.1f %.1f\n", r, p50, p99}' <<<"$out"
}

printf '%-6s %-10s %9s %8s %8s %12s %s\n' round scenario req/s p50_ms p99_ms webhook_cpu ratio_to_none
for round in $(seq 1 "$ROUNDS"); do
  read -r none_rps p50 p99 < <(load bot-features guarded)
  printf '%-6s %-10s %9s %8s %8s %12s %s\n' "$round" none "$none_rps" "$p50" "$p99" - 1.00
  vap_on
  read -r rps p50 p99 < <(load bot-features guarded)
  printf '%-6s %-10s %9s %8s %8s %12s %.2f\n' "$round" vap "$rps" "$p50" "$p99" - "$(bc -l <<<"$rps/$none_rps")"
  vap_off
  guard_on
  hey -z "$WARMUP" -c "$CONNECTIONS" -m PUT -T application/json -H "Authorization: Bearer $TOKEN" \
    -D "$work/guarded.json" "$server/api/v1/namespaces/$NS/configmaps/bot-features" >/dev/null
  t0=$(cpu_ticks "$guard_pid")
  read -r rps p50 p99 < <(load bot-features guarded)
  t1=$(cpu_ticks "$guard_pid")
  n=$(bc <<<"$rps*${DURATION%s}")
  printf '%-6s %-10s %9s %8s %8s %9.2f ms %.2f\n' "$round" guarded "$rps" "$p50" "$p99" "$(bc -l <<<"($t1-$t0)*10/$n")" "$(bc -l <<<"$rps/$none_rps")"
  t0=$(cpu_ticks "$guard_pid")
  read -r rps p50 p99 < <(load unrelated unrelated)
  t1=$(cpu_ticks "$guard_pid")
  printf '%-6s %-10s %9s %8s %8s %9s ms %.2f\n' "$round" unrelated "$rps" "$p50" "$p99" "$(( (t1-t0)*10 ))/run" "$(bc -l <<<"$rps/$none_rps")"
  guard_off
done
