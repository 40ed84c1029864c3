#!/usr/bin/env bash
# RSS of `configguard serve` (webhook + operator) against a real cluster full of ConfigMaps that
# nothing guards (bench/README.md, "RSS of the packaged app"). Needs a kube-apiserver you own
# (nothing here builds or starts one), kubectl, jcmd and a packaged configguard
# (mvn -B -q package -DskipTests).
#
#   KUBECONFIG=... bench/realpath/rss.sh
#
# Seeds $CONFIG_MAPS ConfigMaps of $SIZE_KIB KiB over $NAMESPACES namespaces rss-u-N (kept between
# runs), then starts configguard out of cluster with exactly what the chart gives the container:
# values.yaml's javaOpts, the Deployment's MALLOC_ARENA_MAX, and -XX:MaxRAM from the memory limit.
# It samples VmRSS every second and prints, once the process is ready and synced: RSS, peak
# (VmHWM), RSS after a full GC (jcmd GC.run), then RSS a minute after $MORE more ConfigMaps are
# created (and deleted again at the end). EXTRA adds JVM options to try; ARENAS= (empty) leaves
# MALLOC_ARENA_MAX unset, ARENAS=N sets it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
: "${KUBECONFIG:?set KUBECONFIG to a cluster-admin kubeconfig}"
CONFIG_MAPS=${CONFIG_MAPS:-4000}
SIZE_KIB=${SIZE_KIB:-25}
NAMESPACES=${NAMESPACES:-20}
MORE=${MORE:-1000}
SETTLE=${SETTLE:-30}
PORT=${PORT:-8443}
EXTRA=${EXTRA:-}
work=target/bench-rss
mkdir -p "$work"
app=target/quarkus-app/quarkus-run.jar
[[ -f $app ]] || mvn -B -q package -DskipTests
javaopts=$(sed -n 's/^javaOpts: *"\(.*\)"/\1/p' helm/configguard/values.yaml)
limit=$(sed -n '/^resources:/,/^[a-z]/{/limits:/,/requests:/{s/^ *memory: *\([0-9]*\)Mi.*/\1/p}}' helm/configguard/values.yaml)
arenas=${ARENAS-$(grep -A1 'name: MALLOC_ARENA_MAX' deploy/configguard.yaml | sed -n 's/.*value: *"\{0,1\}\([0-9]*\)"\{0,1\}/\1/p' | head -1)}

# create FROM TO LABEL: ConfigMaps unrelated-FROM..TO-1 labelled bench=LABEL, 100 per kubectl call,
# round robin over the namespaces.
create() {
  python3 - "$1" "$2" "$SIZE_KIB" "$NAMESPACES" "$3" <<'PY' | split -l 100 --filter='kubectl create -f - -o name >/dev/null 2>&1 || true' -
import json, sys
lo, hi, kib, nss = map(int, sys.argv[1:5])
payload = "x" * (kib * 1024)
for i in range(lo, hi):
    print(json.dumps({"apiVersion": "v1", "kind": "ConfigMap",
                      "metadata": {"name": f"unrelated-{i}", "namespace": f"rss-u-{i % nss}",
                                   "labels": {"bench": sys.argv[5]}},
                      "data": {"payload": payload}}))
PY
}
for n in $(seq 0 $((NAMESPACES - 1))); do
  kubectl create namespace "rss-u-$n" --dry-run=client -o yaml | kubectl apply -f - >/dev/null
done
kubectl create namespace configguard --dry-run=client -o yaml | kubectl apply -f - >/dev/null
kubectl apply -f crds/ >/dev/null
have=$(kubectl get configmaps -A -l bench=rss --no-headers 2>/dev/null | wc -l)
if ((have < CONFIG_MAPS)); then
  echo "seeding $((CONFIG_MAPS - have)) ConfigMaps of $SIZE_KIB KiB"
  create 0 "$CONFIG_MAPS" rss
fi
echo "unrelated ConfigMaps: $(kubectl get configmaps -A -l bench=rss --no-headers | wc -l)"

rss() { awk '/^VmRSS/{printf "%d", $2/1024}' "/proc/$1/status"; }
hwm() { awk '/^VmHWM/{printf "%d", $2/1024}' "/proc/$1/status"; }
echo "javaOpts: $javaopts -XX:MaxRAM=${limit}m $EXTRA; MALLOC_ARENA_MAX=${arenas:-unset}"
# shellcheck disable=SC2086
env ${arenas:+MALLOC_ARENA_MAX=$arenas} java $javaopts "-XX:MaxRAM=${limit}m" $EXTRA \
  -XX:NativeMemoryTracking=summary -Dquarkus.http.ssl-port="$PORT" -jar "$app" serve \
  >"$work/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
start=$(date +%s)
until curl -sk "https://127.0.0.1:$PORT/q/health/ready" 2>/dev/null | grep -q '"UP"'; do
  kill -0 $pid 2>/dev/null || { echo "configguard ended: $work/serve.log"; exit 1; }
  sleep 0.5
done
echo "ready after $(($(date +%s) - start)) s; RSS $(rss $pid) MiB"
sleep "$SETTLE"
echo "synced (+${SETTLE} s): RSS $(rss $pid) MiB, peak $(hwm $pid) MiB"
jcmd $pid GC.run >/dev/null
sleep 2
echo "after a full GC: RSS $(rss $pid) MiB"
jcmd $pid VM.native_memory summary >"$work/nmt.txt"
grep -E '^-? *(Java Heap|Class|Thread|Code|GC|Symbol|Metaspace|Total)' "$work/nmt.txt" | sed 's/^/  nmt /' || true
create 1000000 $((1000000 + MORE)) rss-more
echo "created $MORE more; RSS $(rss $pid) MiB"
sleep 60
echo "a minute later: RSS $(rss $pid) MiB, peak $(hwm $pid) MiB"
for n in $(seq 0 $((NAMESPACES - 1))); do
  kubectl -n "rss-u-$n" delete configmaps -l bench=rss-more --wait=false >/dev/null
done
grep -c "OutOfMemoryError" "$work/serve.log" | sed 's/^/OutOfMemoryError lines: /'
