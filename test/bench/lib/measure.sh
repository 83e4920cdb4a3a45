# One measurement: warm up, then a timed wrk run with keep-alive, recording requests/s,
# p50, p99, errors, and the CPU the process under test used meanwhile (a proxy well
# below 100% of one core was not the bottleneck, and its figure says so).

declare -A RESULT_RPS=() RESULT_P50=() RESULT_P99=() RESULT_ERR=() RESULT_CPU=()
CLK_TCK=$(getconf CLK_TCK)

# measure KEY URL HOST PID
measure() {
  local key=$1 url=$2 host=$3 pid=$4 out line t0 t1 c0 c1
  local wrk=("${LOAD_PIN[@]}" wrk "-t$BENCH_THREADS" "-c$BENCH_CONNECTIONS" --timeout 5s
    -H "Host: $host" -s "$BENCH_DIR/wrk-summary.lua")
  log "$key: warm-up ${BENCH_WARMUP}s, then ${BENCH_DURATION}s on $url (Host: $host)"
  "${wrk[@]}" "-d${BENCH_WARMUP}s" "$url" >/dev/null 2>&1 || true
  c0=$(cpu_ticks "$pid")
  t0=$(date +%s%N)
  out=$("${wrk[@]}" "-d${BENCH_DURATION}s" "$url" 2>&1) || {
    log "$key: wrk failed: $out"
    return 0
  }
  t1=$(date +%s%N)
  c1=$(cpu_ticks "$pid")
  printf '%s\n' "$out" >"$BENCH_TMP/wrk-${key//[^a-z0-9-]/_}.txt"
  line=$(grep '^BENCH ' <<<"$out") || {
    log "$key: no summary in wrk output"
    return 0
  }
  local requests duration_us p50_us p99_us socket_errors non2xx
  read -r requests duration_us p50_us p99_us socket_errors non2xx < <(awk '{
    for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    print v["requests"], v["duration_us"], v["p50_us"], v["p99_us"], v["socket_errors"], v["non2xx"]
  }' <<<"$line")
  RESULT_RPS[$key]=$(awk -v r="$requests" -v d="$duration_us" 'BEGIN { printf "%.0f", r / (d / 1e6) }')
  RESULT_P50[$key]=$(awk -v u="$p50_us" 'BEGIN { printf "%.2f", u / 1000 }')
  RESULT_P99[$key]=$(awk -v u="$p99_us" 'BEGIN { printf "%.2f", u / 1000 }')
  RESULT_ERR[$key]=$((socket_errors + non2xx))
  RESULT_CPU[$key]=$(awk -v c=$((c1 - c0)) -v hz="$CLK_TCK" -v ns=$((t1 - t0)) \
    'BEGIN { printf "%.0f", 100 * c / hz / (ns / 1e9) }')
  log "$key: ${RESULT_RPS[$key]} req/s, p50 ${RESULT_P50[$key]} ms, p99 ${RESULT_P99[$key]} ms, errors ${RESULT_ERR[$key]}, CPU ${RESULT_CPU[$key]}%"
}
