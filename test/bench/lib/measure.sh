# One measurement: warm up, then BENCH_REPEAT timed wrk runs with keep-alive; the run
# that other processes disturbed least (lowest "other load") is reported, with the
# range of requests/s over all runs beside it. Besides requests/s, p50, p99 and errors it
# records the CPU the target used (a proxy well below 100% of its core was not the
# bottleneck), requests per second of that CPU time (which a neighbour taking the core
# disturbs less than requests/s), and the CPU that processes other than ours used on
# the machine meanwhile (on a shared machine, a busy neighbour explains a bad figure).

declare -A RESULT_RPS=() RESULT_P50=() RESULT_P99=() RESULT_ERR=() RESULT_CPU=() \
  RESULT_OTHER=() RESULT_EFF=() RESULT_RANGE=()
CLK_TCK=$(getconf CLK_TCK)

# machine_busy_ticks : busy clock ticks of all CPUs since boot (/proc/stat, first line:
# user nice system idle iowait irq softirq steal ...). Interrupt time is left out:
# the loopback traffic itself is processed there, not charged to any process.
machine_busy_ticks() {
  awk '/^cpu / { print $2 + $3 + $4 + $9; exit }' /proc/stat
}

# children_cpu_ms : sets CHILD_MS to the user+system milliseconds of this shell's
# waited-for descendants (the second line of the `times` builtin), which includes wrk.
# `times` must run in this shell, not in a subshell, whose counts start at zero.
children_cpu_ms() {
  times >"$BENCH_TMP/times.txt"
  CHILD_MS=$(awk 'NR == 2 {
    n = split($1 " " $2, t, " "); ms = 0
    for (i = 1; i <= n; i++) { split(t[i], p, /[ms]/); ms += (p[1] * 60 + p[2]) * 1000 }
    printf "%.0f\n", ms
  }' "$BENCH_TMP/times.txt")
}

# wait_quiet : with BENCH_QUIET_WAIT > 0, wait (at most that many seconds) until the
# machine's CPU use over one second, between runs, is below 0.15 cores, so that a run
# does not start in the middle of a neighbour's burst. Sets QUIET_WAITED (seconds).
wait_quiet() {
  local deadline=$((SECONDS + BENCH_QUIET_WAIT)) start=$SECONDS m0 m1
  QUIET_WAITED=0
  while ((SECONDS < deadline)); do
    m0=$(machine_busy_ticks)
    sleep 1
    m1=$(machine_busy_ticks)
    ((100 * (m1 - m0) < 15 * CLK_TCK)) && break
  done
  QUIET_WAITED=$((SECONDS - start))
}

# wrk_once URL HOST PID : one timed run; sets RUN_LINE to
# "rps p50_ms p99_ms errors target_cpu_pct other_cpu_cores requests_per_cpu_second"
# (empty on failure).
wrk_once() {
  local url=$1 host=$2 pid=$3 out line m0 m1 c0 c1 o0 o1 w0 w1 t0 t1
  RUN_LINE=
  m0=$(machine_busy_ticks)
  c0=$(cpu_ticks "$pid")
  o0=$(cpu_ticks "$origin_pid")
  children_cpu_ms
  w0=$CHILD_MS
  t0=$(date +%s%N)
  out=$("${WRK[@]}" "-d${BENCH_DURATION}s" "$url" 2>&1) || {
    log "wrk failed: $out"
    return 0
  }
  t1=$(date +%s%N)
  children_cpu_ms
  w1=$CHILD_MS
  c1=$(cpu_ticks "$pid")
  o1=$(cpu_ticks "$origin_pid")
  m1=$(machine_busy_ticks)
  printf '%s\n' "$out" >>"$BENCH_TMP/wrk-output.txt"
  line=$(grep '^BENCH ' <<<"$out") || {
    log "no summary in wrk output"
    return 0
  }
  # When the origin is the target its CPU must not be counted twice.
  [[ $pid == "$origin_pid" ]] && o1=$o0
  RUN_LINE=$(awk -v hz="$CLK_TCK" -v ns=$((t1 - t0)) -v target=$((c1 - c0)) -v origin=$((o1 - o0)) \
    -v machine=$((m1 - m0)) -v wrk_ms=$((w1 - w0)) '{
      for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
      s = ns / 1e9
      other = (machine / hz - target / hz - origin / hz - wrk_ms / 1000) / s
      if (other < 0) other = 0
      rps = v["requests"] / (v["duration_us"] / 1e6)
      printf "%.0f %.2f %.2f %d %.0f %.2f %.0f\n", rps, v["p50_us"] / 1000, v["p99_us"] / 1000,
        v["socket_errors"] + v["non2xx"], 100 * target / hz / s, other,
        (target > 0 ? v["requests"] / (target / hz) : 0)
    }' <<<"$line")
}

# measure KEY URL HOST PID
measure() {
  local key=$1 url=$2 host=$3 pid=$4 runs=() i
  WRK=("${LOAD_PIN[@]}" wrk "-t$BENCH_THREADS" "-c$BENCH_CONNECTIONS" --timeout 5s
    -H "Host: $host" -s "$BENCH_DIR/wrk-summary.lua")
  log "$key: warm-up ${BENCH_WARMUP}s, then ${BENCH_REPEAT} x ${BENCH_DURATION}s on $url (Host: $host)"
  "${WRK[@]}" "-d${BENCH_WARMUP}s" "$url" >/dev/null 2>&1 || true
  for ((i = 0; i < BENCH_REPEAT; i++)); do
    if ((BENCH_QUIET_WAIT > 0)); then
      wait_quiet
      ((QUIET_WAITED > 1)) && log "$key: waited ${QUIET_WAITED}s for a quiet machine"
    fi
    wrk_once "$url" "$host" "$pid"
    [[ -n $RUN_LINE ]] && runs+=("$RUN_LINE")
  done
  ((${#runs[@]})) || return 0
  local by_rps quietest
  by_rps=$(printf '%s\n' "${runs[@]}" | sort -n -k1,1)
  quietest=$(printf '%s\n' "${runs[@]}" | sort -n -k6,6 | head -1)
  read -r "RESULT_RPS[$key]" "RESULT_P50[$key]" "RESULT_P99[$key]" "RESULT_ERR[$key]" \
    "RESULT_CPU[$key]" "RESULT_OTHER[$key]" "RESULT_EFF[$key]" <<<"$quietest"
  RESULT_RANGE[$key]="$(head -1 <<<"$by_rps" | cut -d' ' -f1)-$(tail -1 <<<"$by_rps" | cut -d' ' -f1)"
  log "$key: ${RESULT_RPS[$key]} req/s, p50 ${RESULT_P50[$key]} ms, p99 ${RESULT_P99[$key]} ms," \
    "errors ${RESULT_ERR[$key]}, target CPU ${RESULT_CPU[$key]}% (${RESULT_EFF[$key]} req per CPU-s)," \
    "other load ${RESULT_OTHER[$key]} cores"
}
