#!/usr/bin/env bash
# npm run bench: Switchyard against nginx, HAProxy and Caddy, all on loopback.
# Every server is a private instance started here from a generated config in a temp dir
# and stopped on exit; no system service is used. See docs/performance.md for the method.
# Middleware, access-log and metrics overhead: test/bench/overhead.sh (same helpers).
#
# Environment:
#   BENCH_ONLY          targets to run, comma-separated (origin,nginx,haproxy,caddy,switchyard)
#   BENCH_SCENARIOS     scenarios to run, comma-separated (http,https,routers)
#   BENCH_DURATION      seconds per measured run (10)
#   BENCH_REPEAT        measured runs per target; the least disturbed one is reported (1)
#   BENCH_WARMUP        seconds of warm-up before each run (2)
#   BENCH_QUIET_WAIT    seconds to wait, at most, before each run for the machine to be idle
#                       (other CPU use below 0.15 cores); 0 = do not wait (0)
#   BENCH_THREADS       wrk threads (2)
#   BENCH_CONNECTIONS   wrk connections (50)
#   BENCH_ROUTERS       router count for the "routers" scenario (10000)
#   BENCH_PORT_BASE     first loopback port used (18000; the bench uses base .. base+30)
#   BENCH_PIN           1 = pin the proxy to the last CPU and load/origin to the others
#                       (needs 2+ CPUs), 0 = let the scheduler place everything (1)
#   BENCH_BUILD         1 = run `npm run build` before starting Switchyard (1)
#   BENCH_READY_TIMEOUT seconds to wait for a server to answer (120)
#   BENCH_KEEP_TMP      1 = keep the temp dir with configs and logs
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$BENCH_DIR/../.." && pwd)
cd "$REPO_DIR"

for lib in common tools certs measure report origin nginx haproxy caddy switchyard; do
  # shellcheck source=/dev/null
  source "$BENCH_DIR/lib/$lib.sh"
done

BENCH_ONLY=${BENCH_ONLY:-origin,nginx,haproxy,caddy,switchyard}
BENCH_SCENARIOS=${BENCH_SCENARIOS:-http,https,routers}
BENCH_DURATION=${BENCH_DURATION:-10}
BENCH_WARMUP=${BENCH_WARMUP:-2}
BENCH_REPEAT=${BENCH_REPEAT:-1}
BENCH_QUIET_WAIT=${BENCH_QUIET_WAIT:-0}
BENCH_THREADS=${BENCH_THREADS:-2}
BENCH_CONNECTIONS=${BENCH_CONNECTIONS:-50}
BENCH_ROUTERS=${BENCH_ROUTERS:-10000}
BENCH_PORT_BASE=${BENCH_PORT_BASE:-18000}
BENCH_PIN=${BENCH_PIN:-1}
BENCH_BUILD=${BENCH_BUILD:-1}
BENCH_READY_TIMEOUT=${BENCH_READY_TIMEOUT:-120}

# The one-route host; the routers scenario asks for a host in the middle of the set.
BENCH_HOST=app-0.example.test
ROUTERS_HOST=app-$((BENCH_ROUTERS / 2)).example.test
# 100 bytes: a readable prefix padded with dots.
ORIGIN_BODY=$(printf '%-100s' 'switchyard-bench-origin' | tr ' ' '.')

ORIGIN_PORT=$BENCH_PORT_BASE
declare -A HTTP_PORT=([nginx]=$((BENCH_PORT_BASE + 1)) [haproxy]=$((BENCH_PORT_BASE + 2))
  [caddy]=$((BENCH_PORT_BASE + 3)) [switchyard]=$((BENCH_PORT_BASE + 4))
  [switchyard-routers]=$((BENCH_PORT_BASE + 5)))
declare -A HTTPS_PORT=([nginx]=$((BENCH_PORT_BASE + 11)) [haproxy]=$((BENCH_PORT_BASE + 12))
  [caddy]=$((BENCH_PORT_BASE + 13)) [switchyard]=$((BENCH_PORT_BASE + 14))
  [switchyard-routers]=$((BENCH_PORT_BASE + 15)))

# skip_note MESSAGE : a target could not be measured; keep the temp dir for its logs.
skip_note() {
  note "$*"
  BENCH_KEEP_TMP=1
}

selected() { [[ ",$BENCH_ONLY," == *",$1,"* ]]; }
scenario() { [[ ",$BENCH_SCENARIOS," == *",$1,"* ]]; }

bench_setup bench

ensure_tools
for port in "$ORIGIN_PORT" "${HTTP_PORT[@]}" "${HTTPS_PORT[@]}"; do
  port_free "$port" || die "127.0.0.1:$port is in use; set BENCH_PORT_BASE to a free range"
done
make_cert "$BENCH_TMP"

start_origin "$ORIGIN_PORT"
origin_pid=$LAST_PID
wait_ready "$origin_pid" "http://127.0.0.1:$ORIGIN_PORT/" "$BENCH_HOST" 20 ||
  die "origin did not start, see $BENCH_TMP/origin.log"
check_body "http://127.0.0.1:$ORIGIN_PORT/" "$BENCH_HOST" || die "origin body is not the expected 100 bytes"

if selected origin && scenario http; then
  measure http:origin "http://127.0.0.1:$ORIGIN_PORT/" "$BENCH_HOST" "$origin_pid"
fi

# bench_target NAME PID : readiness, body check, idle RSS, then the http and https runs.
bench_target() {
  local name=$1 pid=$2 http="http://127.0.0.1:${HTTP_PORT[$1]}/" https="https://127.0.0.1:${HTTPS_PORT[$1]}/"
  if ! wait_ready "$pid" "$http" "$BENCH_HOST" "$BENCH_READY_TIMEOUT" ||
    ! wait_ready "$pid" "$https" "$BENCH_HOST" "$BENCH_READY_TIMEOUT"; then
    skip_note "$name did not answer 200 on $http and $https; skipped (log: $BENCH_TMP/$name.log)"
    return 0
  fi
  if ! check_body "$http" "$BENCH_HOST" || ! check_body "$https" "$BENCH_HOST"; then
    skip_note "$name did not relay the origin's 100-byte body; skipped"
    return 0
  fi
  sleep 2
  RSS_IDLE[$name]=$(rss_kb "$pid")
  if scenario http; then measure "http:$name" "$http" "$BENCH_HOST" "$pid"; fi
  if scenario https; then measure "https:$name" "$https" "$BENCH_HOST" "$pid"; fi
  RSS_LOADED[$name]=$(rss_kb "$pid")
}

for peer in nginx haproxy caddy; do
  selected "$peer" || continue
  "start_$peer" "${HTTP_PORT[$peer]}" "${HTTPS_PORT[$peer]}"
  peer_pid=$LAST_PID
  bench_target "$peer" "$peer_pid"
  stop_started "$peer_pid"
done

# bench_switchyard_routers : the same host routing among BENCH_ROUTERS routers.
bench_switchyard_routers() {
  local name=switchyard-routers dir=$BENCH_TMP/switchyard-routers pid url
  url="http://127.0.0.1:${HTTP_PORT[$name]}/"
  write_switchyard_config "$dir" "${HTTP_PORT[$name]}" "${HTTPS_PORT[$name]}" "$BENCH_ROUTERS"
  start_switchyard "$name" "$dir"
  pid=$LAST_PID
  local t0=$SECONDS
  if ! wait_ready "$pid" "$url" "$ROUTERS_HOST" "$BENCH_READY_TIMEOUT" || ! check_body "$url" "$ROUTERS_HOST"; then
    skip_note "Switchyard with $BENCH_ROUTERS routers did not serve $ROUTERS_HOST; skipped (log: $BENCH_TMP/$name.log)"
    stop_started "$pid"
    return 0
  fi
  note "Switchyard with $BENCH_ROUTERS routers answered $((SECONDS - t0)) s after start"
  sleep 2
  RSS_IDLE[$name]=$(rss_kb "$pid")
  measure routers:switchyard "$url" "$ROUTERS_HOST" "$pid"
  RSS_LOADED[$name]=$(rss_kb "$pid")
  stop_started "$pid"
}

if selected switchyard; then
  if [[ $BENCH_BUILD == 1 ]]; then
    log "building Switchyard (npm run build)"
    npm run build >"$BENCH_TMP/build.log" 2>&1 ||
      skip_note "npm run build failed (see $BENCH_TMP/build.log); using whatever dist/ holds"
  fi
  if [[ ! -f $SWITCHYARD_MAIN ]]; then
    note "Switchyard skipped: $SWITCHYARD_MAIN is missing (run npm run build)"
  else
    if scenario http || scenario https; then
      write_switchyard_config "$BENCH_TMP/switchyard" "${HTTP_PORT[switchyard]}" "${HTTPS_PORT[switchyard]}" 1
      start_switchyard switchyard "$BENCH_TMP/switchyard"
      sy_pid=$LAST_PID
      bench_target switchyard "$sy_pid"
      stop_started "$sy_pid"
    fi
    if scenario routers; then bench_switchyard_routers; fi
  fi
fi

stop_started "$origin_pid"

mkdir -p "$BENCH_DIR/results"
report_file=$BENCH_DIR/results/$(date -u +%Y%m%dT%H%M%SZ).md
render_report | tee "$report_file"
log "report written to ${report_file#"$REPO_DIR"/}"
