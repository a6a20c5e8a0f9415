#!/usr/bin/env bash
# JMH micro-benchmarks of the sidecar's per-request hot paths: request head decode and validation,
# route match, balancer pick, metric recording. Runs them with the GC profiler and prints ns/op and
# B/op (gc.alloc.rate.norm, allocation per operation) as a table. The JMH process and its forks
# are pinned to CPU 1 when taskset is there. Results: bench/target/jmh/ (JSON and the table).
# Usage: bench/jmh.sh [benchmark regex] [more JMH options]   (default: every benchmark, short runs)
# e.g. bench/jmh.sh Balancer -p policy=MAGLEV. JMH_RUN_OPTS replaces the forks/warm-up/measurement
# options below, JMH_JVM_ARGS the forks' heap and GC flags.
# Where allocation comes from: bench/jmh.sh RequestHead -prof "jfr:dir=bench/target/jmh/jfr", then
# jfr print --events jdk.ObjectAllocationSample on the recordings (sampled; the sites, not exact bytes).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
command -v jq >/dev/null || { echo "missing jq: apt-get install jq" >&2; exit 1; }
filter="${1:-.}"
shift || true
./mvnw -B -q -pl bench -am package -DskipTests >/dev/null
out="$root/bench/target/jmh"
mkdir -p "$out"
# logback's status messages (two configurations on the class path: the CLI's and bench's) stay quiet
quiet_logback="-Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener"
pin=()
if command -v taskset >/dev/null && [ "$(nproc)" -gt 1 ]; then
  pin=(taskset -c 1)
fi

echo "date:    $(date -u +%Y-%m-%dT%H:%MZ)"
echo "machine: $(nproc) CPUs, $(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1), $(uname -sr)"
echo "jvm:     $(java -version 2>&1 | sed -n 2p)"
echo "pinned:  ${pin[*]:-no (taskset missing or one CPU)}"

"${pin[@]}" java -cp "$root/bench/target/weft-bench-0.1.0-SNAPSHOT.jar:$root/bench/target/lib/*" org.openjdk.jmh.Main \
  ${JMH_RUN_OPTS:--f 1 -wi 3 -w 1s -i 5 -r 1s} -prof gc -foe true \
  -jvmArgsAppend "${JMH_JVM_ARGS:--Xms1g -Xmx1g -XX:+UseParallelGC} $quiet_logback" \
  -rf json -rff "$out/results.json" -o "$out/jmh.log" \
  "$@" "$filter" || { echo "jmh: a benchmark failed; see $out/jmh.log" >&2; tail -20 "$out/jmh.log" >&2; exit 1; }

# one row per benchmark and parameter set: score ± error (99.9%) and bytes allocated per operation
jq -r '
  ["| benchmark | params | ns/op | ± | B/op |", "| --- | --- | ---: | ---: | ---: |"][],
  (.[] | "| \(.benchmark | split(".") | .[-2:] | join(".")) | \(.params // {} | to_entries | map("\(.key)=\(.value)") | join(" ")) | \(.primaryMetric.score * 10 | round / 10) | \(.primaryMetric.scoreError | if type == "number" then (. * 10 | round / 10) else "-" end) | \(.secondaryMetrics["gc.alloc.rate.norm"].score | round) |")
' "$out/results.json" | tee "$out/summary.md"
