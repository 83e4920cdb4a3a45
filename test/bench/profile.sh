#!/usr/bin/env bash
# CPU profile of the data plane (docs/performance.md, "Profile"): the nginx origin of the
# bench, then in turn Switchyard standalone with one route under --cpu-prof and the bare
# undici proxy (bare-undici-proxy.mjs), each loaded by wrk (keep-alive, 2 threads, 50
# connections) on loopback. Prints requests/s, the target's CPU and requests per CPU
# second, and Switchyard's self time by function and by module from the .cpuprofile.
# With PROFILE_VARIANT (baseline, middlewares, access-log or metrics) Switchyard runs one
# of overhead.sh's configurations instead, loaded as overhead.sh loads it (GET /bench/,
# Accept-Encoding: gzip), and the bare proxy is left out.
#
# Environment: BENCH_DURATION (10), BENCH_PORT_BASE (18000, uses base .. base+6),
# BENCH_PIN (1; the target on the last CPU, wrk and origin on the others), PROFILE_DIR
# (where the .cpuprofile is kept; a temp dir by default), BENCH_NODE_FLAGS (extra flags
# for both Node targets, e.g. --max-semi-space-size=1), BENCH_CPU_PROF (1; 0 = no
# profiler, for req per CPU-s without its overhead). Needs `npm run build` first.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$BENCH_DIR/../.." && pwd)
cd "$REPO_DIR"
for lib in common origin switchyard overhead-variants; do
  # shellcheck source=/dev/null
  source "$BENCH_DIR/lib/$lib.sh"
done

BENCH_DURATION=${BENCH_DURATION:-10}
BENCH_PORT_BASE=${BENCH_PORT_BASE:-18000}
BENCH_PIN=${BENCH_PIN:-1}
BENCH_CPU_PROF=${BENCH_CPU_PROF:-1}
read -r -a NODE_FLAGS <<<"${BENCH_NODE_FLAGS:-}"
HOST=app-0.example.test
BENCH_HOST=$HOST
PROFILE_VARIANT=${PROFILE_VARIANT:-}
ORIGIN_BODY=$(printf '%-100s' 'switchyard-bench-origin' | tr ' ' '.')
ORIGIN_PORT=$BENCH_PORT_BASE
SY_PORT=$((BENCH_PORT_BASE + 4)) BARE_PORT=$((BENCH_PORT_BASE + 6))
METRICS_PORT=$((BENCH_PORT_BASE + 5))
SY_PATH=/
WRK_EXTRA=()
CLK_TCK=$(getconf CLK_TCK)

bench_setup profile
PROFILE_DIR=${PROFILE_DIR:-$BENCH_TMP/profiles}
mkdir -p "$PROFILE_DIR"

# load NAME PID URL : warm up 2 s, then one timed wrk run; prints req/s and req per CPU-s.
load() {
  local name=$1 pid=$2 url=$3 c0 c1 out rps
  "${LOAD_PIN[@]}" wrk -t2 -c50 -d2s -H "Host: $HOST" "${WRK_EXTRA[@]}" "$url" >/dev/null
  c0=$(cpu_ticks "$pid")
  out=$("${LOAD_PIN[@]}" wrk -t2 -c50 "-d${BENCH_DURATION}s" -H "Host: $HOST" "${WRK_EXTRA[@]}" "$url")
  c1=$(cpu_ticks "$pid")
  rps=$(awk '/^Requests\/sec/ { print $2 }' <<<"$out")
  awk -v n="$name" -v rps="$rps" -v t=$((c1 - c0)) -v hz="$CLK_TCK" -v d="$BENCH_DURATION" 'BEGIN {
    cpu = t / hz; printf "%-12s %9.0f req/s  cpu %5.2f s (%3.0f%%)  %7.0f req per CPU-s\n", n, rps, cpu, 100 * cpu / d, rps * d / cpu
  }'
  grep -E 'Latency|Non-2xx|Socket errors' <<<"$out" || true
}

start_origin "$ORIGIN_PORT"
origin=$LAST_PID
wait_ready "$origin" "http://127.0.0.1:$ORIGIN_PORT/" "$HOST" 20 || die "origin did not start"

if [[ -n $PROFILE_VARIANT ]]; then
  write_variant_config "$PROFILE_VARIANT" "$BENCH_TMP/switchyard" "$SY_PORT"
  SY_PATH=/bench/
  WRK_EXTRA=(-H 'Accept-Encoding: gzip')
else
  write_switchyard_config "$BENCH_TMP/switchyard" "$SY_PORT" $((BENCH_PORT_BASE + 14)) 1
fi
PROF_FLAGS=()
[[ $BENCH_CPU_PROF == 1 ]] && PROF_FLAGS=(--cpu-prof --cpu-prof-dir="$PROFILE_DIR")
start_bg switchyard "${PROXY_PIN[@]}" node "${NODE_FLAGS[@]}" "${PROF_FLAGS[@]}" \
  "$SWITCHYARD_MAIN" standalone --config "$BENCH_TMP/switchyard/static.yml"
sy=$LAST_PID
wait_ready "$sy" "http://127.0.0.1:$SY_PORT$SY_PATH" "$HOST" 60 || die "switchyard did not start"
load switchyard "$sy" "http://127.0.0.1:$SY_PORT$SY_PATH"
# SIGINT lets Node write the profile on its way out (SIGTERM would not).
kill -INT "$sy"
for ((i = 0; i < 100; i++)); do kill -0 "$sy" 2>/dev/null || break; sleep 0.1; done
stop_started "$sy"

if [[ -z $PROFILE_VARIANT ]]; then
  start_bg bare "${PROXY_PIN[@]}" node "${NODE_FLAGS[@]}" "$BENCH_DIR/bare-undici-proxy.mjs" "$BARE_PORT" \
    "http://127.0.0.1:$ORIGIN_PORT"
  bare=$LAST_PID
  wait_ready "$bare" "http://127.0.0.1:$BARE_PORT/" "$HOST" 20 || die "bare proxy did not start"
  load bare-undici "$bare" "http://127.0.0.1:$BARE_PORT/"
  stop_started "$bare"
fi

for profile in "$PROFILE_DIR"/*.cpuprofile; do
  [[ -f $profile ]] || continue
  node "$BENCH_DIR/profile-summary.mjs" "$profile"
done
