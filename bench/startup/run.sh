#!/usr/bin/env bash
# Start-up benchmark (bench/README.md, "Start-up"): time from process start to /q/health/ready UP,
# the CPU the process spent until then, and the latency of the first admission request after it,
# for `./configguard serve --policies DIR` (standalone, as the README's quick start runs it).
#
#   bench/startup/run.sh            # RUNS starts of each: JDKS x {plain, archive} x {examples, 1,000}
#   RUNS=9 JDKS=/usr/lib/jvm/temurin-25-jdk-amd64 bench/startup/run.sh
#
# "archive" is what `./configguard archive` writes for that JDK (AppCDS before Java 25, the AOT
# cache from 25 on); "plain" starts without one. The 1,000 policies are those of bench/load/run.sh.
# Each line: the median and the range (min-max) over RUNS starts. The first request is reported
# twice: first_request_ms is curl's time_total, which includes curl's own TCP connect and TLS
# handshake (a client that reuses a connection does not pay it); first_server_ms is
# time_starttransfer - time_pretransfer, from the request sent to the first byte of the answer.
# load is the range of the 1-minute load average (/proc/loadavg) just before each start: load
# distorts the wall-clock figures; cpu_ms, the CPU the process used until ready, much less.
# MODES=plain (or archive) runs only those series, e.g. to alternate two builds start by start.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

RUNS=${RUNS:-5}
JDKS=${JDKS:-/usr/lib/jvm/java-17-openjdk-amd64 /usr/lib/jvm/temurin-25-jdk-amd64}
PORT=${PORT:-18543}
MODES=${MODES:-plain archive}
work=target/bench-startup
review=deploy/examples/admission/bad-bot-features.json

# once JDK DIR: one start; prints "ready_ms cpu_ms first_ms first_server_ms load".
once() {
  local jdk=$1 dir=$2 start pid ready ticks first load
  load=$(cut -d' ' -f1 /proc/loadavg)
  start=$(date +%s%N)
  JAVA_HOME=$jdk JAVA_OPTS="-Dquarkus.http.ssl-port=$PORT" ./configguard serve --policies "$dir" \
    >"$work/serve.log" 2>&1 &
  pid=$!
  until curl -skf -o /dev/null "https://localhost:$PORT/q/health/ready"; do
    kill -0 "$pid" 2>/dev/null || { echo "the server ended: $work/serve.log" >&2; return 1; }
    sleep 0.05
  done
  ready=$((($(date +%s%N) - start) / 1000000))
  ticks=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  first=$(curl -sk -o /dev/null -w '%{time_total} %{time_pretransfer} %{time_starttransfer}' \
    "https://localhost:$PORT/validate" -H 'Content-Type: application/json' \
    --data-binary @"$review")
  kill -TERM "$pid"
  wait "$pid" || true
  echo "$ready $((ticks * 10)) $(echo "$first" | awk '{printf "%.0f %.0f", $1 * 1000, ($3 - $2) * 1000}') $load"
}

# series LABEL JDK DIR: RUNS starts, then the median and range of each figure.
series() {
  local label=$1 jdk=$2 dir=$3
  for _ in $(seq 1 "$RUNS"); do once "$jdk" "$dir"; done >"$work/$label.txt"
  local line="RESULT label=$label runs=$RUNS" column name
  column=1
  for name in ready_ms cpu_ms first_request_ms first_server_ms; do
    # median and range of one column (POSIX awk: sorted by sort -n first)
    line+=" $name=$(cut -d' ' -f"$column" "$work/$label.txt" | sort -n | awk '
      { s[NR] = $1 }
      END { m = (NR % 2) ? s[(NR + 1) / 2] : (s[NR / 2] + s[NR / 2 + 1]) / 2; printf "%d (%d-%d)", m, s[1], s[NR] }')"
    column=$((column + 1))
  done
  echo "$line load=$(cut -d' ' -f5 "$work/$label.txt" | sort -n | sed -n '1p;$p' | paste -sd-)"
}

main() {
  [[ -f target/quarkus-app/quarkus-run.jar ]] || mvn -B -q package -DskipTests
  rm -rf "$work" && mkdir -p "$work"
  bench/load/run.sh policies >/dev/null
  uptime
  local jdk version
  for jdk in $JDKS; do
    version=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$jdk/release")
    rm -f target/quarkus-app/configguard-java-*
    if [[ $MODES == *plain* ]]; then
      series "java$version-plain-examples" "$jdk" deploy/examples/policies
      series "java$version-plain-1000" "$jdk" target/bench-load/thousand
    fi
    if [[ $MODES == *archive* ]]; then
      JAVA_HOME=$jdk CONFIGGUARD_ARCHIVE_PORT=$PORT ./configguard archive >/dev/null
      series "java$version-archive-examples" "$jdk" deploy/examples/policies
      series "java$version-archive-1000" "$jdk" target/bench-load/thousand
    fi
  done
  uptime
}

main "$@"
