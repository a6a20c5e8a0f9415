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
source "$root/bench/proxy/build.sh"
require_tools "wrk nghttp2-client nginx haproxy util-linux curl" wrk h2load nginx haproxy taskset curl
build_bench

source "$root/bench/proxy/setup.sh"
wait_port() { for _ in $(seq 1 200); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done; echo "port $1 never opened" >&2; exit 1; }
# The backend registered as a plain instance; one sidecar in front of it.
curl -sf -X PUT -d "{\"address\":\"127.0.0.1\",\"port\":$backend_port}" \
  "http://127.0.0.1:$cp_http/api/v1/services/backend/instances/backend-1" >/dev/null
weft_port=$(free_port); weft_full_port=$(free_port)
start_sidecar() { # port name extra-jvm-flags...
  local port=$1 name=$2; shift 2
  taskset -c 1 java $sidecar_flags "$@" -cp "$classpath" dev.weft.cli.Main proxy --service "bench-$name" --app-port "$backend_port" \
    --outbound-port "$port" --inbound-port 0 --admin-port 0 --event-loops 1 \
    --control-plane "http://127.0.0.1:$cp_http" --xds "127.0.0.1:$cp_xds" --state-dir "$work/$name" \
    >"$work/$name.out" 2>"$work/$name.err" & pids+=($!)
}
# "weft" is the sidecar as shipped; "weft-full" the same with raw heads off (every HTTP/1.1 head parsed
# and re-encoded by Netty): the reference that shows what forwarding heads as bytes is worth
start_sidecar "$weft_port" weft; weft_pid=$!
start_sidecar "$weft_full_port" weft-full -Dweft.proxy.rawHeads=false; weft_full_pid=$!
wait_port "$backend_port"; wait_port "$nginx_port"; wait_port "$haproxy_port"; wait_port "$weft_port"; wait_port "$weft_full_port"
for p in "$weft_port" "$weft_full_port"; do
  for _ in $(seq 1 100); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' -H 'Host: backend' "http://127.0.0.1:$p/")" = 200 ] && break; sleep 0.1
  done
done

declare -A url=( [direct]="http://127.0.0.1:$backend_port/" [nginx]="http://127.0.0.1:$nginx_port/"
                 [haproxy]="http://127.0.0.1:$haproxy_port/" [weft]="http://127.0.0.1:$weft_port/"
                 [weft-full]="http://127.0.0.1:$weft_full_port/" )
for t in direct nginx haproxy weft weft-full; do
  code=$(curl -s -o "$work/check.bin" -w '%{http_code}' -H 'Host: backend' "${url[$t]}")
  [ "$code" = 200 ] && [ "$(wc -c < "$work/check.bin")" = 1024 ] || { echo "$t does not serve the 1 KiB body (HTTP $code)" >&2; exit 1; }
done

echo "date: $(date -u +%Y-%m-%d)  machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "java: $(java -version 2>&1 | head -1); sidecar flags: $sidecar_flags, 1 event loop"
echo "load generator + backend on CPU 0, proxy under test on CPU 1; 1 KiB body"
declare -A url2=( [direct]="http://127.0.0.1:$backend_h2_port/" [nginx]="http://127.0.0.1:$nginx_h2_port/"
                  [haproxy]="http://127.0.0.1:$haproxy_h2_port/" [weft]="http://127.0.0.1:$weft_port/" )
# CPU time of a proxy's processes (the nginx master and its worker, HAProxy, the sidecar JVM), in clock ticks.
cpu_ticks() { local total=0; for p in "$@"; do for q in $p $(pgrep -P "$p" || true); do
  total=$((total + $(awk '{print $14 + $15}' "/proc/$q/stat" 2>/dev/null || echo 0))); done; done; echo "$total"; }
declare -A procs=( [direct]="" [nginx]="$nginx_pid" [haproxy]="$haproxy_pid" [weft]="$weft_pid" [weft-full]="$weft_full_pid" )
hz=$(getconf CLK_TCK)
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# One run of protocol $1 (h1: wrk with keep-alive; h2: h2load, h2c, 10 streams per connection) for
# $2 seconds against target $3; prints "req/s requests-served details".
run_load() {
  local out
  if [ "$1" = h1 ]; then
    out=$(taskset -c 0 wrk -t1 -c"$conns" -d"$2s" --latency -H 'Host: backend' "${url[$3]}")
    echo "$(echo "$out" | awk '/Requests\/sec/ {print $2}') $(echo "$out" | awk '/requests in/ {print $1}')" \
      "p50 $(echo "$out" | awk '$1=="50%" {print $2}') p99 $(echo "$out" | awk '$1=="99%" {print $2}')" \
      "$(echo "$out" | awk '/Non-2xx|Socket errors/ {print}' | tr '\n' ' ')"
  else
    out=$(taskset -c 0 h2load -t1 -c"$conns" -m10 -D"$2" -H ':authority: backend' "${url2[$3]}")
    echo "$(echo "$out" | awk '/^finished in/ {print $4}') $(echo "$out" | awk '/^requests:/ {print $8}')" \
      "$(echo "$out" | awk '/^requests:/ {print $10 " failed, " $12 " errored"}')"
  fi
}

# Rounds alternating between targets after a warm-up of the sidecar (the JIT compiles its hot path
# before anything is counted), then medians and ratios. $1: h1 or h2; $2: the line prefix; the rest: targets.
measure() {
  local proto=$1 prefix=$2 r t before after rps total rest us cpu
  shift 2
  local targets=("$@")
  local -A results cpu_per_req med
  for t in "${targets[@]}"; do
    if [[ $t == weft* ]]; then run_load "$proto" 5 "$t" >/dev/null; fi
  done
  for r in $(seq 1 "$rounds"); do
    for t in "${targets[@]}"; do
      before=$(cpu_ticks ${procs[$t]})
      read -r rps total rest < <(run_load "$proto" "$duration" "$t")
      after=$(cpu_ticks ${procs[$t]})
      us="-"
      if [ -n "${procs[$t]}" ]; then
        us=$(awk -v d="$((after - before))" -v hz="$hz" -v n="$total" 'BEGIN { printf "%.1f", d / hz / n * 1e6 }')
        cpu_per_req[$t]+="$us "
      fi
      printf '%sround %d  %-9s %10s req/s  proxy CPU %5s us/req  %s\n' "$prefix" "$r" "$t" "$rps" "$us" "$rest"
      results[$t]+="$rps "
    done
  done
  echo
  for t in "${targets[@]}"; do
    med[$t]=$(echo "${results[$t]}" | median)
    cpu=""; [ -n "${procs[$t]}" ] && cpu="$(echo "${cpu_per_req[$t]}" | median) us CPU/req"
    printf '%smedian %-9s %10.0f req/s  %s\n' "$prefix" "$t" "${med[$t]}" "$cpu"
  done
  awk -v p="$prefix" -v w="${med[weft]}" -v n="${med[nginx]}" -v h="${med[haproxy]}" -v d="${med[direct]}" \
    'BEGIN { printf "%sratio weft/nginx %.2f  weft/haproxy %.2f  weft/direct %.2f\n", p, w/n, w/h, w/d }'
  if [ -n "${med[weft-full]:-}" ]; then
    awk -v p="$prefix" -v w="${med[weft]}" -v f="${med[weft-full]}" 'BEGIN { printf "%sratio weft/weft-full %.2f  (raw heads on / off)\n", p, w/f }'
  fi
}

echo "HTTP/1.1: wrk -t1 -c$conns -d${duration}s, keep-alive"
measure h1 "" direct nginx haproxy weft weft-full
echo "sidecar RSS after the runs: $(ps -o rss= -p "$weft_pid" | awk '{printf "%.0f MB", $1/1024}')"
echo
echo "HTTP/2: h2load -t1 -c$conns -m10 -D${duration}s, h2c prior knowledge (nginx and the sidecar HTTP/1.1 to the backend, HAProxy h2c)"
measure h2 "h2 " direct nginx haproxy weft
