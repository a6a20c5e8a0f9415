#!/usr/bin/env bash
# Every data-plane figure of bench/RESULTS.md in one command (about 14 minutes on 2 cores):
#   1. throughput, HTTP/1.1 (wrk) and HTTP/2 (h2load): direct, Weft, nginx, HAProxy   bench/proxy.sh
#   2. latency at a fixed 1,000 and 5,000 rps, coordinated omission corrected:
#      direct, one and two sidecars, nginx, HAProxy                                    bench/latency.sh
#   3. CPU per 1,000 rps and RSS with the sidecar's memory breakdown (NMT)             bench/footprint.sh
#   4. hot-path micro-benchmarks with allocation per operation (JMH)                   bench/jmh.sh
# The registry, DNS and balancer figures have their own scripts (registry.sh, dns/dnsperf.sh,
# balancers.sh); `bench/run-all.sh --everything` runs them too (about 5 minutes more).
# Output: the console, and bench/target/run-all-<UTC time>.txt.
# Needs: wrk nginx haproxy nghttp2-client nghttp2-server jq curl python3 util-linux (taskset), a JDK.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
mkdir -p bench/target
log="bench/target/run-all-$(date -u +%Y%m%dT%H%M%SZ).txt"
for tool in wrk nginx haproxy h2load nghttpd jq curl python3 taskset jcmd; do
  command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install wrk nginx haproxy nghttp2-client nghttp2-server jq curl python3 util-linux)" >&2; exit 1; }
done
./mvnw -B -q -DskipTests package -pl bench -am >/dev/null
start=$(date +%s)
step() { # title command...
  local t0; t0=$(date +%s)
  printf '\n===== %s =====\n' "$1"
  shift
  "$@"
  printf -- '----- %s: %d s\n' "$(basename "$1")" "$(( $(date +%s) - t0 ))"
}
{
  echo "bench/run-all.sh $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
  echo "commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (modified)')"
  step "1. throughput (HTTP/1.1 wrk, HTTP/2 h2load)" bash bench/proxy.sh 7 3 32
  step "2a. latency at a fixed rate, HTTP/1.1" bash bench/latency.sh 8 2 1000 5000
  step "2b. latency at a fixed rate, HTTP/2" env PROTOCOL=h2 bash bench/latency.sh 8 2 1000
  step "3. CPU and memory at 1,000 rps" bash bench/footprint.sh 10 1000
  step "4. hot paths (JMH)" bash bench/jmh.sh
  if [ "${1:-}" = --everything ]; then
    step "5. balancers, one slow endpoint of three" bash bench/balancers.sh 1000 10 3 20
    step "6. DNS vs unbound" bash bench/dns/dnsperf.sh
    step "7. registry at 100,000 instances" bash bench/registry.sh
  fi
  printf '\nrun-all: %d s in total\n' "$(( $(date +%s) - start ))"
} 2>&1 | tee "$log"
echo "saved: $log"
