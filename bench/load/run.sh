#!/usr/bin/env bash
# Load benchmark of the webhook over HTTPS on localhost (bench/README.md, "Load").
#
#   bench/load/run.sh            # all three scenarios in one run, then the ratios
#   bench/load/run.sh floor      # 1. POST /bench/allow: decode and allow, no evaluation
#   bench/load/run.sh five       # 2. POST /validate, 5 policies that all match the ConfigMap
#   bench/load/run.sh thousand   # 3. POST /validate, 1,000 policies of which the same 5 match
#   bench/load/run.sh policies   # only writes the policy sets into target/bench-load (bench/startup)
#
# Each scenario starts its own server (so its peak RSS is its own) from a build made with
# -Dquarkus.profile=bench, the only build with the floor endpoint, and drives it with
# io.configguard.bench.Load from bench/: a closed loop of $CONNECTIONS requests in flight for the
# throughput, then an open loop at $RATE requests/s for the latency percentiles. Every request is
# the same UPDATE of a 10 KiB ConfigMap (bench/load/review.json); every answer must allow it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

CONNECTIONS=${CONNECTIONS:-8}
RATE=${RATE:-500}
WARMUP=${WARMUP:-60}
DURATION=${DURATION:-20}
PORT=${PORT:-8443}
# What the chart runs (values.yaml javaOpts) inside its 384Mi memory limit; in such a container
# the JVM picks the serial collector by itself, here it has to be told.
SERVER_OPTS=${SERVER_OPTS:--XX:MaxRAM=384m -XX:MaxRAMPercentage=60 -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError}
# The server gets core 0 to itself, like a pod with a one-CPU limit, and the load generator core 1:
# sharing both cores, the two processes' threads thrash each other and the figures are the
# machine's, not the server's. The generator's own GC pauses would count as latency: ZGC keeps
# them under a millisecond.
SERVER_CPU=${SERVER_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
LOAD_OPTS=${LOAD_OPTS:--XX:+UseZGC -Xmx1g}
work=target/bench-load
app=target/bench-app/quarkus-run.jar
load=bench/target/benchmarks.jar

build() {
  if [[ ! -f $app || -n ${REBUILD:-} ]]; then
    mvn -B -q package -DskipTests -Dquarkus.profile=bench -Dquarkus.package.output-directory=bench-app
  fi
  if [[ ! -f $load || -n ${REBUILD:-} ]]; then
    mvn -B -q -f bench/pom.xml package
  fi
}

# The 5 policies of bench/load/policies plus 995 that do not match shop/app-config: 800 teams
# with a ConfigPolicy on the ConfigMaps of their own namespace, 100 name patterns, 95 on other kinds.
policies() {
  mkdir -p "$work/five" "$work/thousand"
  cp bench/load/policies/*.yaml "$work/five/"
  cp bench/load/policies/*.yaml "$work/thousand/"
  local out="$work/thousand/others.yaml"
  : >"$out"
  for i in $(seq 1 995); do
    if ((i <= 800)); then
      match='resources: [{apiGroups: [""], kinds: [ConfigMap]}]'
      kind=ConfigPolicy
      ns="  namespace: team-$i"
    elif ((i <= 900)); then
      match="names: [\"svc-$i-*\"]"
      kind=ClusterConfigPolicy
      ns=""
    else
      match="resources: [{apiGroups: [example.com], kinds: [EdgeRoute$i]}]"
      kind=ClusterConfigPolicy
      ns=""
    fi
    cat >>"$out" <<EOF
---
apiVersion: configguard.io/v1alpha1
kind: $kind
metadata:
  name: other-$i
$ns
spec:
  enforcement: Deny
  match:
    $match
  rules:
    - name: size
      maxTotalBytes: 65536
    - name: features
      key: features.json
      format: json
      maxItems: {path: "\$.features", max: 200}
      unique: {path: "\$.features[*].name"}
    - name: cel
      cel: "object.metadata.name.size() < 64"
EOF
  done
}

# scenario NAME POLICY-DIR PATH: starts a server, measures, stops it; prints RESULT lines.
scenario() {
  local name=$1 dir=$2 path=$3 url="https://localhost:$PORT$3"
  # shellcheck disable=SC2086
  taskset -c "$SERVER_CPU" java $SERVER_OPTS -Dquarkus.http.ssl-port="$PORT" -jar "$app" serve --policies "$dir" \
    >"$work/$name.log" 2>&1 &
  local pid=$!
  trap 'kill $pid 2>/dev/null || true' RETURN
  for _ in $(seq 1 120); do
    curl -skf "https://localhost:$PORT/q/health/ready" >/dev/null && break
    sleep 0.5
  done
  curl -skf "https://localhost:$PORT/q/health/ready" >/dev/null ||
    { echo "server did not get ready: $work/$name.log" >&2; return 1; }
  local policies
  policies=$(curl -sk "https://localhost:$PORT/q/metrics" | awk '/^configguard_policies /{print $2}')
  taskset -c "$LOAD_CPU" java $LOAD_OPTS -cp "$load" io.configguard.bench.Load --url "$url" --body bench/load/review.json \
    --connections "$CONNECTIONS" --warmup 0 --duration "$WARMUP" --label warm-up >/dev/null
  # The server's own CPU time per request (user + system, in clock ticks of 10 ms) over the
  # measured closed loop: what the server costs, whatever the load generator takes.
  local ticks result requests
  ticks=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  result=$(taskset -c "$LOAD_CPU" java $LOAD_OPTS -cp "$load" io.configguard.bench.Load --url "$url" --body bench/load/review.json \
    --connections "$CONNECTIONS" --warmup 0 --duration "$DURATION" --label "$name-throughput")
  ticks=$(($(awk '{print $14 + $15}' "/proc/$pid/stat") - ticks))
  requests=$(sed -n 's/.* requests=\([0-9]*\) .*/\1/p' <<<"$result" | head -1)
  echo "$result" | sed "1s/\$/ server_cpu_ms_per_request=$(awk -v t="$ticks" -v n="$requests" 'BEGIN{printf "%.3f", t * 10 / n}')/"
  taskset -c "$LOAD_CPU" java $LOAD_OPTS -cp "$load" io.configguard.bench.Load --url "$url" --body bench/load/review.json \
    --rate "$RATE" --warmup 10 --duration "$DURATION" --label "$name-at-$RATE"
  echo "RESULT label=$name-memory policies=${policies:-0} peak_rss_mib=$(awk '/VmHWM/{printf "%.0f", $2/1024}' "/proc/$pid/status")"
}

main() {
  if [[ ${1:-} == policies ]]; then
    rm -rf "$work" && policies
    return
  fi
  build
  rm -rf "$work" && mkdir -p "$work"
  policies
  local which=${1:-all}
  {
    if [[ $which == all || $which == floor ]]; then scenario floor "$work/five" /bench/allow; fi
    if [[ $which == all || $which == five ]]; then scenario five "$work/five" /validate; fi
    if [[ $which == all || $which == thousand ]]; then scenario thousand "$work/thousand" /validate; fi
  } | tee "$work/results.txt"
  if [[ $which == all ]]; then ratios "$work/results.txt"; fi
}

ratios() {
  awk '
    function field(line, key,   m) { return match(line, key "=[^ ]+") ? substr(line, RSTART + length(key) + 1, RLENGTH - length(key) - 1) : "" }
    /-throughput / { split(field($0, "label"), l, "-"); rps[l[1]] = field($0, "rps"); cpu[l[1]] = field($0, "server_cpu_ms_per_request") }
    / label=[a-z]+-at-/ { split(field($0, "label"), l, "-"); p50[l[1]] = field($0, "p50_ms") }
    END {
      printf "RATIO five/floor throughput=%.2f (goal >= 0.7); server CPU per request %.2f\n", rps["five"] / rps["floor"], cpu["five"] / cpu["floor"]
      printf "RATIO thousand/five cost=%.2f by throughput, %.2f by p50 at the fixed rate, %.2f by server CPU per request (goal <= 1.2)\n", rps["five"] / rps["thousand"], p50["thousand"] / p50["five"], cpu["thousand"] / cpu["five"]
    }' "$1"
}

main "$@"
