#!/usr/bin/env bash
# Weft's DNS server against unbound serving the same records, measured with dnsperf in one run.
# Env: SERVICES (1000) INSTANCES (3) DURATION seconds per run (10) ROUNDS (3) THREADS server io
# threads (1; unbound gets as many) SKIP_BUILD=1 to reuse the last build.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SERVICES=${SERVICES:-1000}
INSTANCES=${INSTANCES:-3}
DURATION=${DURATION:-10}
ROUNDS=${ROUNDS:-3}
THREADS=${THREADS:-1}
OUTSTANDING=${OUTSTANDING:-200}
WORK=$(mktemp -d /tmp/weft-dnsbench.XXXXXX)
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

for tool in dnsperf unbound dig java; do
    command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install -y dnsperf unbound dnsutils)" >&2; exit 1; }
done

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
    (cd "$ROOT" && ./mvnw -B -q install -DskipTests)
fi
(cd "$ROOT" && ./mvnw -B -q -pl bench dependency:build-classpath -Dmdep.outputFile="$WORK/cp.txt" >/dev/null)
CP="$ROOT/bench/target/classes:$(cat "$WORK/cp.txt")"

# Server on CPU 0, dnsperf on CPU 1 when there are two.
if [[ $(nproc) -ge 2 ]] && command -v taskset >/dev/null; then
    SERVER_PIN=(taskset -c 0); CLIENT_PIN=(taskset -c 1); PINNING="server cpu 0, dnsperf cpu 1"
else
    SERVER_PIN=(); CLIENT_PIN=(); PINNING="not pinned"
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_dns() { # port
    for _ in $(seq 1 100); do
        if dig @127.0.0.1 -p "$1" +norec +time=1 +tries=1 svc0.service.weft A 2>/dev/null | grep -q 'status: NOERROR'; then return 0; fi
        sleep 0.1
    done
    echo "server on port $1 did not answer" >&2; exit 1
}

WEFT_PORT=$(free_port)
"${SERVER_PIN[@]}" java -Xms256m -Xmx256m -XX:+UseParallelGC -cp "$CP" dev.weft.bench.DnsBenchServer \
    --port "$WEFT_PORT" --services "$SERVICES" --instances "$INSTANCES" --threads "$THREADS" --out "$WORK" \
    >"$WORK/weft.log" 2>&1 &
PIDS+=($!); WEFT_PID=$!
for _ in $(seq 1 200); do [[ -s "$WORK/queries.txt" ]] && grep -q READY "$WORK/weft.log" && break; sleep 0.1; done
wait_dns "$WEFT_PORT"

UNBOUND_PORT=$(free_port)
cat >"$WORK/unbound.conf" <<CONF
server:
    interface: 127.0.0.1@$UNBOUND_PORT
    do-daemonize: no
    use-syslog: no
    username: ""
    chroot: ""
    directory: "$WORK"
    pidfile: "$WORK/unbound.pid"
    access-control: 127.0.0.0/8 allow
    num-threads: $THREADS
    verbosity: 0
    include: "$WORK/unbound-records.conf"
remote-control:
    control-enable: no
CONF
"${SERVER_PIN[@]}" unbound -d -c "$WORK/unbound.conf" >"$WORK/unbound.log" 2>&1 &
PIDS+=($!); UNBOUND_PID=$!
wait_dns "$UNBOUND_PORT"

run() { # name port seconds
    "${CLIENT_PIN[@]}" dnsperf -s 127.0.0.1 -p "$2" -d "$WORK/queries.txt" -l "$3" -q "$OUTSTANDING" 2>&1
}
cpu_ticks() { # pid: user+system clock ticks of the process and its threads
    awk '{print $14 + $15}' "/proc/$1/stat"
}
field() { # output regex
    sed -n "s/.*$2 *\([0-9.]*\).*/\1/p" <<<"$1" | head -1
}

echo "warm-up (JIT for Weft; cache for unbound): 5 s each"
run weft "$WEFT_PORT" 5 >/dev/null
run unbound "$UNBOUND_PORT" 5 >/dev/null

echo "date: $(date -u +%Y-%m-%d)  cpus: $(nproc)  $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "zone: $SERVICES services x $INSTANCES instances; queries: 1/3 A, 2/3 SRV (both SRV forms); ${DURATION}s per run; $OUTSTANDING outstanding; io threads $THREADS; $PINNING"
printf '%-8s %-6s %10s %10s %10s %10s %6s %8s %12s\n' server round qps avg_ms min_ms max_ms lost cpu_% q/cpu_s
declare -A SUM=([weft]=0 [unbound]=0)
for r in $(seq 1 "$ROUNDS"); do
    for s in weft unbound; do
        port=$WEFT_PORT; pid=$WEFT_PID; [[ $s == unbound ]] && port=$UNBOUND_PORT && pid=$UNBOUND_PID
        t0=$(cpu_ticks "$pid")
        out=$(run "$s" "$port" "$DURATION")
        t1=$(cpu_ticks "$pid")
        cpu=$(echo "($t1 - $t0) / $(getconf CLK_TCK)" | bc -l)
        qps=$(field "$out" 'Queries per second:')
        avg=$(field "$out" 'Average Latency (s):')
        min=$(sed -n 's/.*(min \([0-9.]*\),.*/\1/p' <<<"$out" | head -1)
        max=$(sed -n 's/.*max \([0-9.]*\)).*/\1/p' <<<"$out" | head -1)
        lost=$(sed -n 's/.*Queries lost: *\([0-9]*\).*/\1/p' <<<"$out" | head -1)
        printf '%-8s %-6s %10.0f %10.3f %10.3f %10.3f %6s %8.0f %12.0f\n' "$s" "$r" "$qps" \
            "$(echo "$avg*1000" | bc -l)" "$(echo "$min*1000" | bc -l)" "$(echo "$max*1000" | bc -l)" "$lost" \
            "$(echo "100 * $cpu / $DURATION" | bc -l)" "$(echo "$qps * $DURATION / $cpu" | bc -l)"
        [[ $r == 1 ]] && echo "         $(grep 'Response codes' <<<"$out" | xargs)"
        SUM[$s]=$(echo "${SUM[$s]} + $qps" | bc -l)
    done
done
printf 'mean qps: weft %.0f, unbound %.0f, ratio weft/unbound %.2f\n' \
    "$(echo "${SUM[weft]} / $ROUNDS" | bc -l)" "$(echo "${SUM[unbound]} / $ROUNDS" | bc -l)" \
    "$(echo "${SUM[weft]} / ${SUM[unbound]}" | bc -l)"
echo "response sizes (Weft adds the SRV targets' A records in the additional section; unbound's local-data does not):"
for s in weft unbound; do
    port=$WEFT_PORT; [[ $s == unbound ]] && port=$UNBOUND_PORT
    echo "  $s: $(dig @127.0.0.1 -p "$port" +norec svc1.service.weft SRV | grep -E 'MSG SIZE')"
done
