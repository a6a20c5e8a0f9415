# Shared by bench/proxy.sh and bench/latency.sh (sourced, not run): a work dir cleaned on exit,
# the 1 KiB nginx backend on CPU 0, nginx and HAProxy as reverse proxies on CPU 1, and an idle
# Weft control plane without auth. Each server also listens for h2c (prior knowledge) on a second
# port: the backend and HAProxy speak it on both sides, nginx proxies it to HTTP/1.1. Sets: work, pids,
# backend_port, nginx_port, haproxy_port, backend_h2_port, nginx_h2_port, haproxy_h2_port,
# nginx_pid, haproxy_pid, cp_http, cp_xds. Needs: root, classpath.
work=$(mktemp -d)
chmod 755 "$work"  # nginx workers run as an unprivileged user
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

backend_port=$(free_port); nginx_port=$(free_port); haproxy_port=$(free_port)
backend_h2_port=$(free_port); nginx_h2_port=$(free_port); haproxy_h2_port=$(free_port)
mkdir -p "$work/www"; chmod 755 "$work/www"
head -c 1024 /dev/zero | tr '\0' 'w' > "$work/www/1k.bin"; chmod 644 "$work/www/1k.bin"
render() { sed -e "s#__DIR__#$work#g" -e "s#__BACKEND_PORT__#$backend_port#g" -e "s#__NGINX_PORT__#$nginx_port#g" \
               -e "s#__HAPROXY_PORT__#$haproxy_port#g" -e "s#__BACKEND_H2_PORT__#$backend_h2_port#g" \
               -e "s#__NGINX_H2_PORT__#$nginx_h2_port#g" -e "s#__HAPROXY_H2_PORT__#$haproxy_h2_port#g" "$1" > "$2"; }
render "$root/bench/proxy/backend-nginx.conf" "$work/backend.conf"
render "$root/bench/proxy/nginx-proxy.conf" "$work/nginx-proxy.conf"
render "$root/bench/proxy/haproxy.cfg" "$work/haproxy.cfg"
taskset -c 0 nginx -c "$work/backend.conf" -p "$work" -e "$work/backend-error.log" & pids+=($!)
taskset -c 1 nginx -c "$work/nginx-proxy.conf" -p "$work" -e "$work/nginx-proxy-error.log" & pids+=($!); nginx_pid=$!
taskset -c 1 haproxy -f "$work/haproxy.cfg" -q & pids+=($!); haproxy_pid=$!

java -cp "$classpath" dev.weft.cli.Main control-plane --data-dir "$work/cp" --http-port 0 --dns-port 0 --xds-port 0 \
  --insecure-no-auth >"$work/cp.out" 2>"$work/cp.err" & pids+=($!)
for _ in $(seq 1 200); do grep -q "control plane ready" "$work/cp.err" 2>/dev/null && break; sleep 0.1; done
cp_http=$(grep -o 'http=http://127.0.0.1:[0-9]*' "$work/cp.err" | sed 's/.*://')
cp_xds=$(grep -o 'xds=127.0.0.1:[0-9]*' "$work/cp.err" | sed 's/.*://')
# the sidecars run with the flags `./weft proxy` uses (cli/src/main/jvm/proxy.options) unless told otherwise
sidecar_flags="${WEFT_PROXY_JAVA_OPTS:-$(grep -v '^\s*\(#\|$\)' "$root/cli/src/main/jvm/proxy.options" | xargs)}"
