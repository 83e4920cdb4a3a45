#!/usr/bin/env bash
# Cost of middlewares, the access log and metrics, measured in one run against the
# no-middleware baseline (issue "Middlewares, observability and the Traefik-compatible
# read API"). Four Switchyard processes, one after another, against the same one-worker
# nginx origin (100-byte text body), each measured as run.sh measures (lib/measure.sh),
# configured as lib/overhead-variants.sh writes them:
#   baseline     one Host router, no middleware
#   middlewares  the same router with headers + stripPrefix + rateLimit + compress
#   access-log   baseline + accessLog { filePath: <tmp>/access.log, format: json }
#   metrics      baseline + metrics { prometheus: {} } (served on the `traefik` entrypoint)
# Every request asks for /bench/ with `Accept-Encoding: gzip`, in all four variants, so
# that only the configuration differs. The origin's body (100 bytes) is below compress's
# minResponseBodyBytes (1024): compress negotiates but never compresses, which is the
# case measured here (small uncompressible responses), not the cost of gzip itself.
# rateLimit allows 10,000,000 req/s: it is evaluated on every request but never limits.
#
# Environment: BENCH_DURATION, BENCH_WARMUP, BENCH_REPEAT, BENCH_QUIET_WAIT, BENCH_THREADS,
# BENCH_CONNECTIONS, BENCH_PORT_BASE (18100 here; uses base .. base+9), BENCH_PIN,
# BENCH_READY_TIMEOUT, BENCH_KEEP_TMP, as in run.sh; BENCH_VARIANTS, the variants to
# measure besides the baseline (space-separated; all by default); BENCH_SWITCHYARD_MAIN,
# another build's dist/cli/main.js (overhead-ab.sh compares two). `npm run build` runs
# only when dist/ is missing.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$BENCH_DIR/../.." && pwd)
cd "$REPO_DIR"

for lib in common tools measure report origin switchyard overhead-variants; do
  # shellcheck source=/dev/null
  source "$BENCH_DIR/lib/$lib.sh"
done

BENCH_DURATION=${BENCH_DURATION:-10}
BENCH_WARMUP=${BENCH_WARMUP:-2}
BENCH_REPEAT=${BENCH_REPEAT:-1}
BENCH_QUIET_WAIT=${BENCH_QUIET_WAIT:-0}
BENCH_THREADS=${BENCH_THREADS:-2}
BENCH_CONNECTIONS=${BENCH_CONNECTIONS:-50}
BENCH_PORT_BASE=${BENCH_PORT_BASE:-18100}
BENCH_PIN=${BENCH_PIN:-1}
BENCH_READY_TIMEOUT=${BENCH_READY_TIMEOUT:-120}

BENCH_HOST=app-0.example.test
BENCH_PATH=/bench/
ORIGIN_BODY=$(printf '%-100s' 'switchyard-bench-origin' | tr ' ' '.')
ORIGIN_PORT=$BENCH_PORT_BASE
VARIANTS=("${OVERHEAD_VARIANTS[@]}")
if [[ -n ${BENCH_VARIANTS:-} ]]; then
  read -r -a wanted <<<"$BENCH_VARIANTS"
  VARIANTS=(baseline)
  for variant in "${wanted[@]}"; do
    [[ " ${OVERHEAD_VARIANTS[*]} " == *" $variant "* ]] || die "unknown variant $variant (one of: ${OVERHEAD_VARIANTS[*]})"
    [[ $variant == baseline ]] || VARIANTS+=("$variant")
  done
fi
declare -A WEB_PORT=([baseline]=$((BENCH_PORT_BASE + 1)) [middlewares]=$((BENCH_PORT_BASE + 2))
  [access-log]=$((BENCH_PORT_BASE + 3)) [metrics]=$((BENCH_PORT_BASE + 4)))
METRICS_PORT=$((BENCH_PORT_BASE + 9))
declare -A LABEL=([baseline]='baseline (1 route, no middleware)'
  [middlewares]='headers + stripPrefix + rateLimit + compress'
  [access-log]='access log (JSON, to a file)' [metrics]='metrics (Prometheus)')

bench_setup overhead

# lib/measure.sh builds the wrk command itself; a wrk earlier on PATH adds the header.
# `exec` keeps it one process, so wrk's CPU is still counted as this shell's child.
ensure_tools
mkdir -p "$BENCH_TMP/bin"
printf '#!/bin/sh\nexec %q -H "Accept-Encoding: gzip" "$@"\n' "$(command -v wrk)" >"$BENCH_TMP/bin/wrk"
chmod 755 "$BENCH_TMP/bin/wrk"
PATH=$BENCH_TMP/bin:$PATH

for port in "$ORIGIN_PORT" "${WEB_PORT[@]}" "$METRICS_PORT"; do
  port_free "$port" || die "127.0.0.1:$port is in use; set BENCH_PORT_BASE to a free range"
done

if [[ ! -d dist ]]; then
  log "dist/ is missing: npm run build"
  npm run build >"$BENCH_TMP/build.log" 2>&1 || die "npm run build failed (see $BENCH_TMP/build.log)"
fi
[[ -f $SWITCHYARD_MAIN ]] || die "$SWITCHYARD_MAIN is missing (run npm run build)"

# check_variant VARIANT URL : the variant does what it is configured to do, so that a
# silently ignored option cannot pass for a free one.
check_variant() {
  local variant=$1 url=$2 dir=$BENCH_TMP/$1 headers exposition
  headers=$(curl -s -D - -o /dev/null --max-time 5 -H "Host: $BENCH_HOST" -H 'Accept-Encoding: gzip' "$url") || return 1
  case $variant in
    middlewares)
      grep -qi '^X-Bench: 1' <<<"$headers" || { log "middlewares: no X-Bench header"; return 1; }
      if grep -qi '^Content-Encoding:' <<<"$headers"; then
        log "middlewares: the 100-byte body was compressed"
        return 1
      fi
      ;;
    access-log)
      sleep 1
      grep -q '"RequestPath"' "$dir/access.log" 2>/dev/null || { log "access-log: no JSON line in $dir/access.log"; return 1; }
      ;;
    metrics)
      # Read whole first: with pipefail, grep -q closing the pipe early would fail curl.
      exposition=$(curl -s --max-time 5 "http://127.0.0.1:$METRICS_PORT/metrics") || return 1
      grep -q '^traefik_entrypoint_requests_total' <<<"$exposition" ||
        { log "metrics: no traefik_entrypoint_requests_total on :$METRICS_PORT/metrics"; return 1; }
      ;;
  esac
}

start_origin "$ORIGIN_PORT"
origin_pid=$LAST_PID
wait_ready "$origin_pid" "http://127.0.0.1:$ORIGIN_PORT/" "$BENCH_HOST" 20 ||
  die "origin did not start, see $BENCH_TMP/origin.log"

declare -A ACCESS_LOG_LINES=()
for variant in "${VARIANTS[@]}"; do
  dir=$BENCH_TMP/$variant
  url="http://127.0.0.1:${WEB_PORT[$variant]}$BENCH_PATH"
  write_variant_config "$variant" "$dir" "${WEB_PORT[$variant]}"
  start_switchyard "$variant" "$dir"
  pid=$LAST_PID
  if ! wait_ready "$pid" "$url" "$BENCH_HOST" "$BENCH_READY_TIMEOUT" || ! check_body "$url" "$BENCH_HOST"; then
    BENCH_KEEP_TMP=1
    note "$variant did not relay the origin's 100-byte body on $url; skipped (log: $BENCH_TMP/$variant.log)"
    stop_started "$pid"
    continue
  fi
  if ! check_variant "$variant" "$url"; then
    BENCH_KEEP_TMP=1
    note "$variant: configuration not in effect; skipped (log: $BENCH_TMP/$variant.log)"
    stop_started "$pid"
    continue
  fi
  sleep 2
  measure "$variant" "$url" "$BENCH_HOST" "$pid"
  [[ $variant == access-log ]] && ACCESS_LOG_LINES[$variant]=$(wc -l <"$dir/access.log")
  stop_started "$pid"
done
stop_started "$origin_pid"

# cost VARIANT FIELD_ARRAY : (1 - variant / baseline) in %, one decimal; n/a if missing.
cost() {
  local -n field=$2
  local v=${field[$1]:-} b=${field[baseline]:-}
  if [[ -z $v || -z $b ]]; then
    echo n/a
  else
    awk -v v="$v" -v b="$b" 'BEGIN { if (b == 0) print "n/a"; else printf "%.1f\n", 100 * (1 - v / b) }'
  fi
}

render() {
  printf '# Switchyard middleware and observability overhead, %s\n\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
  printf -- '- machine: %s CPUs (%s), kernel %s; %s\n' "$(nproc)" \
    "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)" "$(uname -r)" "$(node --version)"
  printf -- '- load: wrk -t%s -c%s -d%ss -H "Accept-Encoding: gzip", keep-alive, GET %s, %ss warm-up, %s measured run(s) per variant (least other load shown), 100-byte text body from a one-worker nginx origin\n' \
    "$BENCH_THREADS" "$BENCH_CONNECTIONS" "$BENCH_DURATION" "$BENCH_PATH" "$BENCH_WARMUP" "$BENCH_REPEAT"
  printf -- '- CPU placement: %s\n' "$CPU_LAYOUT"
  printf -- '- compress: the 100-byte body is below minResponseBodyBytes (1024), so it is never compressed: this is the negotiation cost on small uncompressible responses\n'
  printf -- '- cost: 1 - variant / baseline, in %%; positive = slower than the baseline\n\n'
  printf '| variant | req/s | p99 (ms) | errors | target CPU (%%) | req per CPU-s | other load (cores) | cost, req per CPU-s (%%) | cost, req/s (%%) |\n'
  printf '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n'
  local v
  for v in "${VARIANTS[@]}"; do
    if [[ -z ${RESULT_RPS[$v]:-} ]]; then
      printf '| %s | not measured | | | | | | | |\n' "${LABEL[$v]}"
      continue
    fi
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "${LABEL[$v]}" "${RESULT_RPS[$v]}" \
      "${RESULT_P99[$v]}" "${RESULT_ERR[$v]}" "${RESULT_CPU[$v]}" "${RESULT_EFF[$v]}" \
      "${RESULT_OTHER[$v]}" "$(cost "$v" RESULT_EFF)" "$(cost "$v" RESULT_RPS)"
  done
  if [[ -n ${ACCESS_LOG_LINES[access-log]:-} ]]; then
    printf '\naccess.log held %s lines at the end of the access-log variant.\n' "${ACCESS_LOG_LINES[access-log]}"
  fi
  if ((${#NOTES[@]})); then
    printf '\n## Notes\n\n'
    printf -- '- %s\n' "${NOTES[@]}"
  fi
}

mkdir -p "$BENCH_DIR/results"
report_file=$BENCH_DIR/results/overhead-$(date -u +%Y%m%dT%H%M%SZ).md
render | tee "$report_file"
log "report written to ${report_file#"$REPO_DIR"/}"
