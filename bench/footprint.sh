#!/usr/bin/env bash
# What a proxy costs at a steady 1,000 rps (16 keep-alive connections, fixed rate): CPU per 1,000 rps
# from /proc over the run and resident memory (RSS) at its end, for one Weft sidecar, each of the two
# sidecars of the mesh path (client side, server side), nginx and HAProxy (one worker each), before
# the same 1 KiB nginx backend, in one run. For the sidecars, Native Memory Tracking breaks the
# memory down (heap, metaspace, code, GC, threads, direct buffers...). Load generator and backend
# share CPU 0; the proxies run on CPU 1.
# Usage: bench/footprint.sh [seconds per run] [rate]   (default: 20 1000)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
duration="${1:-20}"; rate="${2:-1000}"; conns=16
source "$root/bench/proxy/build.sh"
require_tools "nginx haproxy util-linux curl python3 openjdk-17-jdk-headless jq" nginx haproxy taskset curl python3 jcmd jfr jq
build_bench

source "$root/bench/proxy/setup.sh"
wait_http() { for _ in $(seq 1 300); do [ "$(curl -s -o /dev/null -w '%{http_code}' -H "Host: $2" "http://127.0.0.1:$1/")" = 200 ] && return 0; sleep 0.1; done; echo "127.0.0.1:$1 (Host: $2) never answered 200" >&2; exit 1; }
curl -sf -X PUT -d "{\"address\":\"127.0.0.1\",\"port\":$backend_port}" \
  "http://127.0.0.1:$cp_http/api/v1/services/plain/instances/plain-1" >/dev/null
client_port=$(free_port)
start_sidecar() { # service app_port outbound_port name
  taskset -c 1 java $sidecar_flags -XX:NativeMemoryTracking=summary -cp "$classpath" dev.weft.cli.Main proxy --service "$1" --app-port "$2" \
    --outbound-port "$3" --inbound-port 0 --admin-port 0 --event-loops 1 --health-interval 1s \
    --control-plane "http://127.0.0.1:$cp_http" --xds "127.0.0.1:$cp_xds" --state-dir "$work/state-$4" \
    >"$work/$4.out" 2>"$work/$4.err" & pids+=($!)
}
start_sidecar backend "$backend_port" 0 server; server_pid=$!
start_sidecar client "$backend_port" "$client_port" client; client_pid=$!
wait_http "$backend_port" x; wait_http "$nginx_port" x; wait_http "$haproxy_port" x
wait_http "$client_port" plain; wait_http "$client_port" backend

# CPU ticks (user + system) and RSS (kB) of a process and its children
ticks() { local t=0 q; for q in $1 $(pgrep -P "$1" || true); do t=$((t + $(awk '{print $14 + $15}' "/proc/$q/stat"))); done; echo "$t"; }
rss() { local k=0 q; for q in $1 $(pgrep -P "$1" || true); do k=$((k + $(awk '/^VmRSS/ {print $2}' "/proc/$q/status"))); done; echo "$k"; }
hz=$(getconf CLK_TCK)
load() { taskset -c 0 java -Xmx256m -cp "$loadcp" dev.weft.bench.FixedRateLoad "http://127.0.0.1:$1/" "$rate" "$duration" "$conns" 2 "$2"; }

echo "date: $(date -u +%Y-%m-%d)  machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
echo "java: $(java -version 2>&1 | head -1); sidecars: $sidecar_flags -XX:NativeMemoryTracking=summary, 1 event loop"
echo "load: $rate rps fixed rate, $conns connections, ${duration}s after 2s warm-up; proxies pinned to CPU 1"
load "$client_port" backend 2000 >/dev/null   # JIT warm-up of both sidecars
printf '%-28s %12s %16s %10s  %s\n' target "CPU s" "vCPU/1000 rps" "RSS MB" "latency"
measure() { # label port host pid...
  local label=$1 port=$2 host=$3; shift 3
  local before=() after=() i line
  for p in "$@"; do before+=("$(ticks "$p")"); done
  line=$(load "$port" "$host")
  for p in "$@"; do after+=("$(ticks "$p")"); done
  for i in "${!before[@]}"; do
    local p=${*:$((i + 1)):1}
    local name=$label; [ $# -gt 1 ] && name="$label[$([ "$i" = 0 ] && echo client || echo server)]"
    awk -v n="$name" -v d="$(( ${after[$i]} - ${before[$i]} ))" -v hz="$hz" -v dur="$duration" -v r="$rate" -v k="$(rss "$p")" -v l="${line#*| }" \
      'BEGIN { s = d / hz; printf "%-28s %12.2f %16.3f %10.1f  %s\n", n, s, s / (dur + 2) / (r / 1000), k / 1024, l }'
  done
}
measure one-sidecar "$client_port" plain "$client_pid"
measure two-sidecars "$client_port" backend "$client_pid" "$server_pid"
measure nginx "$nginx_port" x "$nginx_pid"
measure haproxy "$haproxy_port" x "$haproxy_pid"

echo
echo "client sidecar, Native Memory Tracking (committed KB; RSS also holds the JVM's own code and malloc slack):"
jcmd "$client_pid" VM.native_memory summary | awk '/^Total|^-/ { gsub(/reserved=[0-9]+KB, /, ""); print "  " $0 }'
grep -E 'VmRSS|RssAnon|RssFile' "/proc/$client_pid/status" | sed 's/^/  /'
echo "  threads: $(ls "/proc/$client_pid/task" | wc -l)  loaded classes: $(jstat -class "$client_pid" | awk 'NR == 2 {print $1}')"

# Garbage per request on the event loop, in the running sidecar (the steady-state HTTP/1.1 path),
# measured last because JFR's own classes and buffers would show in the memory figures above: the
# proxy thread's allocated bytes (JFR thread allocation statistics, at the start and end of a
# recording) over the requests of one run at 5,000 rps through the single sidecar. Netty recycles its
# buffers and message holders on event-loop threads only, so this is the figure that counts (JMH's
# threads are not event-loop threads).
alloc_rate=5000
jcmd "$client_pid" JFR.start name=alloc settings=default filename="$work/alloc.jfr" >/dev/null
sleep 1
sent=$(taskset -c 0 java -Xmx256m -cp "$loadcp" dev.weft.bench.FixedRateLoad "http://127.0.0.1:$client_port/" "$alloc_rate" "$duration" "$conns" 1 plain \
  | sed -n 's/.*sent \([0-9]*\).*/\1/p')
sleep 1
jcmd "$client_pid" JFR.stop name=alloc >/dev/null
jfr print --json --events jdk.ThreadAllocationStatistics "$work/alloc.jfr" \
  | jq -r '.recording.events[] | select(.values.thread.javaName | test("^weft-proxy")) | .values.allocated' \
  | sort -n | awk -v n="$((sent + alloc_rate))" -v r="$alloc_rate" 'NR == 1 {first = $1} {last = $1}
      END { printf "\nevent-loop allocation, one sidecar at %d rps: %.1f bytes per request (%d requests with the 1 s warm-up; %.2f MB allocated by the loop in all, health checks and timers included)\n", r, (last - first) / n, n, (last - first) / 1e6 }'

