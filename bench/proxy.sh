#!/usr/bin/env bash
# Throughput through one Weft sidecar against nginx and HAProxy as reverse proxies, and direct,
# in the same run: the same backend (nginx serving 1 KiB), wrk with keep-alive (HTTP/1.1), then
# h2load (HTTP/2 with prior knowledge: h2c in; the sidecar and nginx speak HTTP/1.1 to the backend,
# HAProxy h2c, direct is the backend's own h2c port), loopback.
# Every proxy gets one worker thread (the sidecar one event loop) and is pinned to CPU 1; wrk and
# the backend share CPU 0. Rounds alternate between targets; medians and ratios are printed.
# Usage: bench/proxy.sh [seconds per run] [rounds] [connections]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
duration="${1:-10}"
rounds="${2:-3}"
conns="${3:-32}"
for tool in wrk h2load nginx haproxy taskset curl; do
  command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install wrk nghttp2-client nginx haproxy util-linux curl" >&2; exit 1; }
done
./mvnw -B -q -DskipTests package -pl cli -am >/dev/null
classpath="$root/cli/target/weft-cli.jar:$root/cli/target/lib/*"

source "$root/bench/proxy/setup.sh"
wait_port() { for _ in $(seq 1 200); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done; echo "port $1 never opened" >&2; exit 1; }
# The backend registered as a plain instance; one sidecar in front of it.
curl -sf -X PUT -d "{\"address\":\"127.0.0.1\",\"port\":$backend_port}" \
  "http://127.0.0.1:$cp_http/api/v1/services/backend/instances/backend-1" >/dev/null
weft_port=$(free_port)
taskset -c 1 java $sidecar_flags -cp "$classpath" dev.weft.cli.Main proxy --service bench-client --app-port "$backend_port" \
  --outbound-port "$weft_port" --inbound-port 0 --admin-port 0 --event-loops 1 \
  --control-plane "http://127.0.0.1:$cp_http" --xds "127.0.0.1:$cp_xds" --state-dir "$work/sidecar" \
  >"$work/sidecar.out" 2>"$work/sidecar.err" & pids+=($!); weft_pid=$!
wait_port "$backend_port"; wait_port "$nginx_port"; wait_port "$haproxy_port"; wait_port "$weft_port"
for _ in $(seq 1 100); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' -H 'Host: backend' "http://127.0.0.1:$weft_port/")" = 200 ] && break; sleep 0.1
done

declare -A url=( [direct]="http://127.0.0.1:$backend_port/" [nginx]="http://127.0.0.1:$nginx_port/"
                 [haproxy]="http://127.0.0.1:$haproxy_port/" [weft]="http://127.0.0.1:$weft_port/" )
for t in direct nginx haproxy weft; do
  code=$(curl -s -o "$work/check.bin" -w '%{http_code}' -H 'Host: backend' "${url[$t]}")
  [ "$code" = 200 ] && [ "$(wc -c < "$work/check.bin")" = 1024 ] || { echo "$t does not serve the 1 KiB body (HTTP $code)" >&2; exit 1; }
done

echo "date: $(date -u +%Y-%m-%d)  machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "java: $(java -version 2>&1 | head -1); sidecar flags: $sidecar_flags, 1 event loop"
echo "wrk -t1 -c$conns -d${duration}s, keep-alive, 1 KiB body; wrk + backend on CPU 0, proxy under test on CPU 1"
# Warm-up: the JIT compiles the sidecar's hot path before anything is counted.
taskset -c 0 wrk -t1 -c"$conns" -d5s -H 'Host: backend' "${url[weft]}" >/dev/null
# CPU time of a proxy's processes (the nginx master and its worker, HAProxy, the sidecar JVM), in clock ticks.
cpu_ticks() { local total=0; for p in "$@"; do for q in $p $(pgrep -P "$p" || true); do
  total=$((total + $(awk '{print $14 + $15}' "/proc/$q/stat" 2>/dev/null || echo 0))); done; done; echo "$total"; }
declare -A procs=( [direct]="" [nginx]="$nginx_pid" [haproxy]="$haproxy_pid" [weft]="$weft_pid" )
hz=$(getconf CLK_TCK)
declare -A results cpu_per_req
for r in $(seq 1 "$rounds"); do
  for t in direct nginx haproxy weft; do
    before=$(cpu_ticks ${procs[$t]})
    out=$(taskset -c 0 wrk -t1 -c"$conns" -d"${duration}s" --latency -H 'Host: backend' "${url[$t]}")
    after=$(cpu_ticks ${procs[$t]})
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    total=$(echo "$out" | awk '/requests in/ {print $1}')
    if [ -n "${procs[$t]}" ]; then
      us=$(awk -v d="$((after - before))" -v hz="$hz" -v n="$total" 'BEGIN { printf "%.1f", d / hz / n * 1e6 }')
      cpu_per_req[$t]+="$us "
    else
      us="-"
    fi
    p50=$(echo "$out" | awk '$1=="50%" {print $2}')
    p99=$(echo "$out" | awk '$1=="99%" {print $2}')
    errors=$(echo "$out" | awk '/Non-2xx|Socket errors/ {print}' | tr '\n' ' ')
    printf 'round %d  %-8s %10s req/s  p50 %-8s p99 %-8s proxy CPU %5s us/req %s\n' "$r" "$t" "$rps" "$p50" "$p99" "$us" "$errors"
    results[$t]+="$rps "
  done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
echo
declare -A med
for t in direct nginx haproxy weft; do
  med[$t]=$(echo "${results[$t]}" | median)
  if [ -n "${procs[$t]}" ]; then cpu="$(echo "${cpu_per_req[$t]}" | median) us CPU/req"; else cpu=""; fi
  printf 'median %-8s %10.0f req/s  %s\n' "$t" "${med[$t]}" "$cpu"
done
awk -v w="${med[weft]}" -v n="${med[nginx]}" -v h="${med[haproxy]}" -v d="${med[direct]}" \
  'BEGIN { printf "ratio weft/nginx %.2f  weft/haproxy %.2f  weft/direct %.2f\n", w/n, w/h, w/d }'
echo "sidecar RSS after the runs: $(ps -o rss= -p "$(pgrep -f 'dev.weft.cli.Main proxy --service bench-client' | head -1)" | awk '{printf "%.0f MB", $1/1024}')"

# HTTP/2: h2load, the same connections, 10 streams in flight on each
declare -A url2=( [direct]="http://127.0.0.1:$backend_h2_port/" [nginx]="http://127.0.0.1:$nginx_h2_port/"
                  [haproxy]="http://127.0.0.1:$haproxy_h2_port/" [weft]="http://127.0.0.1:$weft_port/" )
echo
echo "h2load -t1 -c$conns -m10 -D${duration}s, h2c prior knowledge, 1 KiB body"
taskset -c 0 h2load -t1 -c"$conns" -m10 -D5 -H ':authority: backend' "${url2[weft]}" >/dev/null
declare -A results2 cpu2
for r in $(seq 1 "$rounds"); do
  for t in direct nginx haproxy weft; do
    before=$(cpu_ticks ${procs[$t]})
    out=$(taskset -c 0 h2load -t1 -c"$conns" -m10 -D"$duration" -H ':authority: backend' "${url2[$t]}")
    after=$(cpu_ticks ${procs[$t]})
    rps=$(echo "$out" | awk '/^finished in/ {print $4}')
    total=$(echo "$out" | awk '/^requests:/ {print $8}')
    failed=$(echo "$out" | awk '/^requests:/ {print $10 " failed, " $12 " errored"}')
    if [ -n "${procs[$t]}" ]; then
      us=$(awk -v d="$((after - before))" -v hz="$hz" -v n="$total" 'BEGIN { printf "%.1f", d / hz / n * 1e6 }')
      cpu2[$t]+="$us "
    else
      us="-"
    fi
    printf 'h2 round %d  %-8s %10s req/s  proxy CPU %5s us/req  %s\n' "$r" "$t" "$rps" "$us" "$failed"
    results2[$t]+="$rps "
  done
done
echo
declare -A med2
for t in direct nginx haproxy weft; do
  med2[$t]=$(echo "${results2[$t]}" | median)
  if [ -n "${procs[$t]}" ]; then cpu="$(echo "${cpu2[$t]}" | median) us CPU/req"; else cpu=""; fi
  printf 'h2 median %-8s %10.0f req/s  %s\n' "$t" "${med2[$t]}" "$cpu"
done
awk -v w="${med2[weft]}" -v n="${med2[nginx]}" -v h="${med2[haproxy]}" -v d="${med2[direct]}" \
  'BEGIN { printf "h2 ratio weft/nginx %.2f  weft/haproxy %.2f  weft/direct %.2f\n", w/n, w/h, w/d }'
