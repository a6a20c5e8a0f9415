#!/usr/bin/env bash
# One of three backends is slow: p50/p90/p99 through a real sidecar with round robin, random,
# least request and peak EWMA over the same endpoints, fixed rate, in one run.
# Usage: bench/balancers.sh [rate] [seconds] [rounds] [slow ms]   (default: 1000 10 3 20)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
./mvnw -B -q -DskipTests package -pl bench -am >/dev/null
exec java -Xmx512m -cp "$root/bench/target/weft-bench-0.1.0-SNAPSHOT.jar:$root/cli/target/weft-cli.jar:$root/cli/target/lib/*:$(ls ~/.m2/repository/org/hdrhistogram/HdrHistogram/2.2.2/HdrHistogram-2.2.2.jar)" \
  dev.weft.bench.BalancerBench "${1:-1000}" "${2:-10}" "${3:-3}" "${4:-20}"
