#!/usr/bin/env bash
# Cost of middlewares, the access log and metrics, each against the no-middleware
# baseline (issue "Middlewares, observability and the Traefik-compatible read API"). One
# Switchyard process per variant, all started at once against the same one-worker nginx
# origin (100-byte text body), configured as lib/overhead-variants.sh writes them:
#   baseline     one Host router, no middleware
#   middlewares  the same router with headers + stripPrefix + rateLimit + compress
#   access-log   baseline + accessLog { filePath: <tmp>/access.log, format: json }
#   metrics      baseline + metrics { prometheus: {} } (served on the `traefik` entrypoint)
# then loaded in turn, short runs, round after round (BENCH_ROUNDS), the order rotated
# each round: on this shared machine a process measured minutes after another meets
# another machine, so each variant is compared with the baseline of its own round, and
# the median of those per-round costs is the figure. Each run is measured as run.sh
# measures (lib/measure.sh: req per CPU-s of the process, its CPU, other load).
# Every request asks for /bench/ with `Accept-Encoding: gzip`, in all variants, so
# that only the configuration differs. The origin's body (100 bytes) is below compress's
# minResponseBodyBytes (1024): compress negotiates but never compresses, which is the
# case measured here (small uncompressible responses), not the cost of gzip itself.
# rateLimit allows 10,000,000 req/s: it is evaluated on every request but never limits.
#
# With BENCH_SWITCHYARD_MAIN_B (overhead-ab.sh sets it), a second build runs every variant
# too, in the same rounds: two builds compared on the same minutes of the machine.
#
# Environment: BENCH_ROUNDS (5), BENCH_DURATION (5 s per run), BENCH_WARMUP (2 s before
# the first round, 1 s before every run), BENCH_THREADS, BENCH_CONNECTIONS, BENCH_PORT_BASE
# (18100 here; uses base .. base+10), BENCH_PIN, BENCH_READY_TIMEOUT, BENCH_KEEP_TMP, as in
# run.sh; BENCH_VARIANTS, the variants to measure besides the baseline (space-separated;
# all by default); BENCH_SWITCHYARD_MAIN and BENCH_SWITCHYARD_MAIN_B, the dist/cli/main.js
# of builds A and B. `npm run build` runs only when dist/ is missing and no build is named.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$BENCH_DIR/../.." && pwd)
cd "$REPO_DIR"

for lib in common tools measure report origin switchyard overhead-variants; do
  # shellcheck source=/dev/null
  source "$BENCH_DIR/lib/$lib.sh"
done

BENCH_ROUNDS=${BENCH_ROUNDS:-5}
BENCH_DURATION=${BENCH_DURATION:-5}
BENCH_WARMUP=${BENCH_WARMUP:-2}
BENCH_REPEAT=1
BENCH_QUIET_WAIT=0
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
declare -A LABEL=([baseline]='baseline (1 route, no middleware)'
  [middlewares]='headers + stripPrefix + rateLimit + compress'
  [access-log]='access log (JSON, to a file)' [metrics]='metrics (Prometheus)')
declare -A TARGET=([baseline]='—' [middlewares]='≤ 15%' [access-log]='≤ 10%' [metrics]='≤ 5%')

# Builds: "" alone, or A and B. A process per build and variant: KEY = build/variant.
declare -A MAIN=()
if [[ -n ${BENCH_SWITCHYARD_MAIN_B:-} ]]; then
  BUILDS=(A B)
  MAIN[A]=$SWITCHYARD_MAIN
  MAIN[B]=$BENCH_SWITCHYARD_MAIN_B
else
  BUILDS=(-)
  MAIN[-]=$SWITCHYARD_MAIN
fi
# Ports: the origin on the base, then each build's variants, then each build's metrics.
declare -A WEB_PORT=() METRICS_PORT_OF=()
KEYS=()
stride=${#OVERHEAD_VARIANTS[@]}
for ((b = 0; b < ${#BUILDS[@]}; b++)); do
  build=${BUILDS[$b]}
  METRICS_PORT_OF[$build]=$((BENCH_PORT_BASE + 1 + ${#BUILDS[@]} * stride + b))
  for ((v = 0; v < stride; v++)); do
    variant=${OVERHEAD_VARIANTS[$v]}
    [[ " ${VARIANTS[*]} " == *" $variant "* ]] || continue
    WEB_PORT[$build/$variant]=$((BENCH_PORT_BASE + 1 + stride * b + v))
    KEYS+=("$build/$variant")
  done
done

bench_setup overhead

# lib/measure.sh builds the wrk command itself; a wrk earlier on PATH adds the header.
# `exec` keeps it one process, so wrk's CPU is still counted as this shell's child.
ensure_tools
mkdir -p "$BENCH_TMP/bin"
printf '#!/bin/sh\nexec %q -H "Accept-Encoding: gzip" "$@"\n' "$(command -v wrk)" >"$BENCH_TMP/bin/wrk"
chmod 755 "$BENCH_TMP/bin/wrk"
PATH=$BENCH_TMP/bin:$PATH

for port in "$ORIGIN_PORT" "${WEB_PORT[@]}" "${METRICS_PORT_OF[@]}"; do
  port_free "$port" || die "127.0.0.1:$port is in use; set BENCH_PORT_BASE to a free range"
done

if [[ -z ${BENCH_SWITCHYARD_MAIN:-} && ! -d dist ]]; then
  log "dist/ is missing: npm run build"
  npm run build >"$BENCH_TMP/build.log" 2>&1 || die "npm run build failed (see $BENCH_TMP/build.log)"
fi
for build in "${BUILDS[@]}"; do
  [[ -f ${MAIN[$build]} ]] || die "${MAIN[$build]} is missing (run npm run build)"
done

# check_variant KEY URL : the variant does what it is configured to do, so that a
# silently ignored option cannot pass for a free one.
check_variant() {
  local key=$1 url=$2 variant=${1#*/} dir=$BENCH_TMP/${1/\//-} headers exposition
  headers=$(curl -s -D - -o /dev/null --max-time 5 -H "Host: $BENCH_HOST" -H 'Accept-Encoding: gzip' "$url") || return 1
  case $variant in
    middlewares)
      grep -qi '^X-Bench: 1' <<<"$headers" || { log "$key: no X-Bench header"; return 1; }
      if grep -qi '^Content-Encoding:' <<<"$headers"; then
        log "$key: the 100-byte body was compressed"
        return 1
      fi
      ;;
    access-log)
      sleep 1
      grep -q '"RequestPath"' "$dir/access.log" 2>/dev/null || { log "$key: no JSON line in $dir/access.log"; return 1; }
      ;;
    metrics)
      # Read whole first: with pipefail, grep -q closing the pipe early would fail curl.
      exposition=$(curl -s --max-time 5 "http://127.0.0.1:${METRICS_PORT_OF[${key%%/*}]}/metrics") || return 1
      grep -q '^traefik_entrypoint_requests_total' <<<"$exposition" ||
        { log "$key: no traefik_entrypoint_requests_total on /metrics"; return 1; }
      ;;
  esac
}

start_origin "$ORIGIN_PORT"
origin_pid=$LAST_PID
wait_ready "$origin_pid" "http://127.0.0.1:$ORIGIN_PORT/" "$BENCH_HOST" 20 ||
  die "origin did not start, see $BENCH_TMP/origin.log"

declare -A PID=()
READY=()
for key in "${KEYS[@]}"; do
  build=${key%%/*} variant=${key#*/} dir=$BENCH_TMP/${key/\//-} name=${key/\//-}
  url="http://127.0.0.1:${WEB_PORT[$key]}$BENCH_PATH"
  METRICS_PORT=${METRICS_PORT_OF[$build]}
  SWITCHYARD_MAIN=${MAIN[$build]}
  write_variant_config "$variant" "$dir" "${WEB_PORT[$key]}"
  start_switchyard "$name" "$dir"
  PID[$key]=$LAST_PID
  if ! wait_ready "$LAST_PID" "$url" "$BENCH_HOST" "$BENCH_READY_TIMEOUT" || ! check_body "$url" "$BENCH_HOST"; then
    BENCH_KEEP_TMP=1
    note "$key did not relay the origin's 100-byte body on $url; skipped (log: $BENCH_TMP/$name.log)"
    stop_started "$LAST_PID"
    continue
  fi
  if ! check_variant "$key" "$url"; then
    BENCH_KEEP_TMP=1
    note "$key: configuration not in effect; skipped (log: $BENCH_TMP/$name.log)"
    stop_started "$LAST_PID"
    continue
  fi
  # JIT warm-up once; every run below gets its own short warm-up too.
  "${LOAD_PIN[@]}" wrk -t"$BENCH_THREADS" -c"$BENCH_CONNECTIONS" -d"${BENCH_WARMUP}s" \
    -H "Host: $BENCH_HOST" "$url" >/dev/null 2>&1 || true
  READY+=("$key")
done
((${#READY[@]})) || die "no variant started"

# Rounds: every ready process once per round, the order rotated by one each round.
ROUND_WARMUP=1
for ((round = 1; round <= BENCH_ROUNDS; round++)); do
  for ((i = 0; i < ${#READY[@]}; i++)); do
    key=${READY[$(((i + round - 1) % ${#READY[@]}))]}
    BENCH_WARMUP=$ROUND_WARMUP
    log "round $round of $BENCH_ROUNDS: $key"
    measure "$key#$round" "http://127.0.0.1:${WEB_PORT[$key]}$BENCH_PATH" "$BENCH_HOST" "${PID[$key]}"
  done
done
declare -A ACCESS_LOG_LINES=()
for key in "${READY[@]}"; do
  [[ ${key#*/} == access-log ]] && ACCESS_LOG_LINES[$key]=$(wc -l <"$BENCH_TMP/${key/\//-}/access.log")
  stop_started "${PID[$key]}"
done
stop_started "$origin_pid"

# median VALUES... : the middle value (the lower of the two middle ones), n/a when none.
median() {
  printf '%s\n' "$@" | grep -v -e '^$' -e 'n/a' | sort -g |
    awk '{ v[NR] = $1 } END { print NR ? v[int((NR + 1) / 2)] : "n/a" }'
}

# round_cost KEY ROUND : 1 - variant / baseline of the same build and round, req per CPU-s, in %.
round_cost() {
  local v=${RESULT_EFF[$1#$2]:-} b=${RESULT_EFF[${1%%/*}/baseline#$2]:-}
  if [[ -z $v || -z $b || $b == 0 ]]; then
    echo n/a
  else
    awk -v v="$v" -v b="$b" 'BEGIN { printf "%.1f\n", 100 * (1 - v / b) }'
  fi
}

# of KEY ARRAY : the values of ARRAY for KEY's runs, one per round.
of() {
  local -n values=$2
  local round
  for ((round = 1; round <= BENCH_ROUNDS; round++)); do printf '%s ' "${values[$1#$round]:-n/a}"; done
}

render() {
  printf '# Switchyard middleware and observability overhead, %s\n\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
  printf -- '- machine: %s CPUs (%s), kernel %s; %s\n' "$(nproc)" \
    "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)" "$(uname -r)" "$(node --version)"
  printf -- '- load: wrk -t%s -c%s -d%ss -H "Accept-Encoding: gzip", keep-alive, GET %s, 1 s warm-up per run; %s rounds, every variant once per round (order rotated), 100-byte text body from a one-worker nginx origin\n' \
    "$BENCH_THREADS" "$BENCH_CONNECTIONS" "$BENCH_DURATION" "$BENCH_PATH" "$BENCH_ROUNDS"
  if [[ ${BUILDS[0]} == A ]]; then
    printf -- '- builds: %s (each variant of both in every round)\n' "${BENCH_BUILDS_NOTE:-A = ${MAIN[A]}, B = ${MAIN[B]}}"
  fi
  printf -- '- CPU placement: %s\n' "$CPU_LAYOUT"
  printf -- '- compress: the 100-byte body is below minResponseBodyBytes (1024), so it is never compressed: this is the negotiation cost on small uncompressible responses\n'
  printf -- '- cost: 1 - variant / baseline of the same round, req per CPU-s, in %%; positive = slower than the baseline; the median over rounds is the figure\n\n'
  printf '| variant | req per CPU-s, median | req/s, median | p99 (ms), median | errors | other load (cores), max | cost per round (%%) | cost, median (%%) | target |\n'
  printf '| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |\n'
  local key build variant label costs errors round
  for key in "${KEYS[@]}"; do
    build=${key%%/*} variant=${key#*/}
    label=${LABEL[$variant]}
    [[ $build == - ]] || label="$build: $label"
    if [[ " ${READY[*]} " != *" $key "* ]]; then
      printf '| %s | not measured | | | | | | | |\n' "$label"
      continue
    fi
    costs=()
    errors=0
    for ((round = 1; round <= BENCH_ROUNDS; round++)); do
      [[ $variant == baseline ]] || costs+=("$(round_cost "$key" "$round")")
      errors=$((errors + ${RESULT_ERR[$key#$round]:-0}))
    done
    # shellcheck disable=SC2046 # word splitting of the per-round values is wanted
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$label" \
      "$(median $(of "$key" RESULT_EFF))" "$(median $(of "$key" RESULT_RPS))" \
      "$(median $(of "$key" RESULT_P99))" "$errors" \
      "$(of "$key" RESULT_OTHER | tr ' ' '\n' | sort -g | tail -1)" \
      "${costs[*]:-—}" "$( ((${#costs[@]})) && median "${costs[@]}" || echo —)" "${TARGET[$variant]}"
  done
  for key in "${!ACCESS_LOG_LINES[@]}"; do
    printf '\n%s: access.log held %s lines at the end.\n' "$key" "${ACCESS_LOG_LINES[$key]}"
  done
  if ((${#NOTES[@]})); then
    printf '\n## Notes\n\n'
    printf -- '- %s\n' "${NOTES[@]}"
  fi
}

mkdir -p "$BENCH_DIR/results"
report_file=$BENCH_DIR/results/overhead-$(date -u +%Y%m%dT%H%M%SZ).md
render | tee "$report_file"
log "report written to ${report_file#"$REPO_DIR"/}"
