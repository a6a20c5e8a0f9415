#!/usr/bin/env bash
# Latency at a fixed rate, coordinated omission corrected (dev.weft.bench.FixedRateLoad), against:
# direct, one Weft sidecar, two Weft sidecars (client side + server side: the mesh's real path),
# nginx and HAProxy (one worker each, keep-alive upstreams), all before the same 1 KiB nginx
# backend, in one run. Load generator and backend share CPU 0; the proxies run on CPU 1.
# Usage: [PROTOCOL=http1|h2] bench/latency.sh [seconds per run] [rounds] [rates...]   (default: 10 3 1000 5000)
# PROTOCOL=h2: the generator speaks h2c (prior knowledge, requests as concurrent streams) to every
# target; the backend is the same nginx on its h2c port, the two sidecars speak HTTP/2 all the way
# (the server sidecar's app declared --app-protocol http2), one sidecar speaks HTTP/1.1 to the plain
# (sidecar-less) instance, HAProxy h2c on both sides, and nginx
# h2c in front of its HTTP/1.1 upstream (it cannot proxy to HTTP/2).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
duration="${1:-10}"; rounds="${2:-3}"; shift $(( $# > 2 ? 2 : $# )) || true
rates=("$@"); [ "${#rates[@]}" -gt 0 ] || rates=(1000 5000)
protocol="${PROTOCOL:-http1}"
case "$protocol" in http1|h2) ;; *) echo "PROTOCOL must be http1 or h2, got '$protocol'" >&2; exit 2 ;; esac
conns=16
source "$root/bench/proxy/build.sh"
require_tools "nginx haproxy util-linux curl python3" nginx haproxy taskset curl python3
build_bench

source "$root/bench/proxy/setup.sh"
# Ports of the protocol under test: the backend (also the sidecars' app) and the two reverse proxies.
curl_version=(); app_protocol=http1; app_port="$backend_port"; nginx_in="$nginx_port"; haproxy_in="$haproxy_port"
if [ "$protocol" = h2 ]; then
  curl_version=(--http2-prior-knowledge); app_protocol=http2
  app_port="$backend_h2_port"; nginx_in="$nginx_h2_port"; haproxy_in="$haproxy_h2_port"
fi
wait_http() { for _ in $(seq 1 300); do [ "$(curl "${curl_version[@]}" -s -o /dev/null -w '%{http_code}' -H "Host: $2" "http://127.0.0.1:$1/")" = 200 ] && return 0; sleep 0.1; done; echo "127.0.0.1:$1 (Host: $2, $protocol) never answered 200" >&2; exit 1; }
# "plain": the backend registered without a sidecar (one sidecar on the path);
# "backend": the backend behind its own sidecar (two sidecars on the path).
# A plain instance is an app of unknown protocol to the sidecar, which speaks HTTP/1.1 to it: with
# PROTOCOL=h2 the one-sidecar path is h2c in, HTTP/1.1 out (like nginx's).
curl -sf -X PUT -d "{\"address\":\"127.0.0.1\",\"port\":$backend_port}" \
  "http://127.0.0.1:$cp_http/api/v1/services/plain/instances/plain-1" >/dev/null
client_port=$(free_port)
start_sidecar() { # service app_port outbound_port name
  taskset -c 1 java $sidecar_flags -cp "$classpath" dev.weft.cli.Main proxy --service "$1" --app-port "$2" --app-protocol "$app_protocol" \
    --outbound-port "$3" --inbound-port 0 --admin-port 0 --event-loops 1 --health-interval 1s \
    --control-plane "http://127.0.0.1:$cp_http" --xds "127.0.0.1:$cp_xds" --state-dir "$work/state-$4" \
    >"$work/$4.out" 2>"$work/$4.err" & pids+=($!)
}
start_sidecar backend "$app_port" 0 server
start_sidecar client "$app_port" "$client_port" client
wait_http "$app_port" x; wait_http "$nginx_in" x; wait_http "$haproxy_in" x
wait_http "$client_port" plain; wait_http "$client_port" backend

declare -A target=( [direct]="$app_port x" [one-sidecar]="$client_port plain" [two-sidecars]="$client_port backend"
                    [nginx]="$nginx_in x" [haproxy]="$haproxy_in x" )
order=(direct one-sidecar two-sidecars nginx haproxy)
echo "date: $(date -u +%Y-%m-%d)  machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "java: $(java -version 2>&1 | head -1); sidecars: $sidecar_flags, 1 event loop each, both on CPU 1"
echo "load: $protocol, fixed rate, $conns connections, ${duration}s per run after 2s warm-up, latency from intended send time"
load() { taskset -c 0 java -Xmx256m -cp "$loadcp" dev.weft.bench.FixedRateLoad --protocol "$protocol" "http://127.0.0.1:$1/" "$3" "$duration" "$conns" 2 "$2"; }
# JIT warm-up of the sidecars before anything is recorded.
load "$client_port" backend 2000 >/dev/null
declare -A p50 p99
for rate in "${rates[@]}"; do
  for r in $(seq 1 "$rounds"); do
    for t in "${order[@]}"; do
      read -r port host <<<"${target[$t]}"
      line=$(load "$port" "$host" "$rate")
      printf '%-5s rps round %d %-13s %s\n' "$rate" "$r" "$t" "${line#*| }"
      case "$line" in *"errors 0 "*) ;; *) echo "warning: $rate rps round $r $t: ${line%% |*}" >&2 ;; esac
      p50[$rate,$t]+="$(echo "$line" | sed 's/.*p50 \([0-9.]*\).*/\1/') "
      p99[$rate,$t]+="$(echo "$line" | sed 's/.*p99 \([0-9.]*\).*/\1/') "
    done
  done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
echo
for rate in "${rates[@]}"; do
  d50=$(echo "${p50[$rate,direct]}" | median); d99=$(echo "${p99[$rate,direct]}" | median)
  for t in "${order[@]}"; do
    m50=$(echo "${p50[$rate,$t]}" | median); m99=$(echo "${p99[$rate,$t]}" | median)
    awk -v r="$rate" -v t="$t" -v a="$m50" -v b="$m99" -v c="$d50" -v d="$d99" \
      'BEGIN { printf "%5s rps  %-13s median p50 %.3f ms  p99 %.3f ms   added over direct: p50 %+.3f ms  p99 %+.3f ms\n", r, t, a, b, a-c, b-d }'
  done
done
