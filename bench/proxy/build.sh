# Shared by the proxy benchmarks (sourced, not run), before bench/proxy/setup.sh: checks the tools a
# script needs, builds the CLI and the load generator, and sets classpath (the sidecar and control
# plane) and loadcp (dev.weft.bench.FixedRateLoad). Needs: root.
# Usage: require_tools "<apt-get packages>" tool...; then build_bench
require_tools() {
  local packages=$1 tool
  shift
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install $packages" >&2; exit 1; }
  done
}
build_bench() {
  ./mvnw -B -q -DskipTests package -pl bench -am >/dev/null # bench depends on cli: both are built
  classpath="$root/cli/target/weft-cli.jar:$root/cli/target/lib/*"
  loadcp="$root/bench/target/weft-bench-0.1.0-SNAPSHOT.jar:$root/bench/target/lib/*"
}
