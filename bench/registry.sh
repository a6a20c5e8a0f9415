#!/usr/bin/env bash
# Registry benchmark: 100,000 instances across 10,000 services through the HTTP API, then the
# time for one change to reach 1,000 blocking-query watchers. The control plane runs in its own
# JVM with a 1 GB heap cap; its live heap and RSS are read afterwards with jcmd and /proc.
# Usage: bench/registry.sh [instances] [services] [inflight] [watchers] [rounds]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
./mvnw -B -q -DskipTests package -pl bench -am >/dev/null
cp_classpath="$root/cli/target/weft-cli.jar:$root/cli/target/lib/*"
bench_classpath="$root/bench/target/weft-bench-0.1.0-SNAPSHOT.jar:$cp_classpath:$(ls ~/.m2/repository/org/hdrhistogram/HdrHistogram/2.2.2/HdrHistogram-2.2.2.jar)"

work=$(mktemp -d)
trap 'kill $cp_pid 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
java -Xmx1g -XX:+UseG1GC -cp "$cp_classpath" dev.weft.cli.Main control-plane --data-dir "$work/data" \
  --http-port 0 --dns-port 0 >"$work/out.log" 2>"$work/err.log" &
cp_pid=$!
for _ in $(seq 1 200); do
  grep -q "control plane ready" "$work/err.log" 2>/dev/null && break
  sleep 0.1
done
port=$(grep -o 'http=http://127.0.0.1:[0-9]*' "$work/err.log" | sed 's/.*://')
token=$(cat "$work/data/admin-token")
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(java -version 2>&1 | head -1)"
echo "control plane: pid $cp_pid, -Xmx1g, G1, http port $port"
java -cp "$bench_classpath" dev.weft.bench.RegistryBench "http://127.0.0.1:$port" "$token" "$@"
jcmd "$cp_pid" GC.run >/dev/null
sleep 1
heap=$(jcmd "$cp_pid" GC.heap_info | head -3)
echo "control plane heap after full GC:"
echo "$heap" | sed 's/^/  /'
echo "control plane RSS: $(awk '/VmRSS/ {printf "%.0f MB", $2/1024}' /proc/$cp_pid/status)"
