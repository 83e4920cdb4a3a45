# Renders the collected figures as markdown.

declare -A RSS_IDLE=() RSS_LOADED=()
NOTES=()

note() {
  NOTES+=("$*")
  log "$*"
}

# ratio A B : A/B to two decimals, or n/a when either is missing.
ratio() {
  if [[ -z ${1:-} || -z ${2:-} ]]; then
    echo "n/a"
  else
    awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "n/a"; else printf "%.2f\n", a / b }'
  fi
}

mib() { [[ -n ${1:-} ]] && awk -v k="$1" 'BEGIN { printf "%.1f\n", k / 1024 }' || echo "n/a"; }

# row LABEL KEY
row() {
  local label=$1 key=$2 range=
  ((BENCH_REPEAT > 1)) && range=" | ${RESULT_RANGE[$key]:-}"
  if [[ -n ${RESULT_RPS[$key]:-} ]]; then
    printf '| %s | %s%s | %s | %s | %s | %s | %s | %s |\n' "$label" "${RESULT_RPS[$key]}" "$range" \
      "${RESULT_P50[$key]}" "${RESULT_P99[$key]}" "${RESULT_ERR[$key]}" "${RESULT_CPU[$key]}" \
      "${RESULT_EFF[$key]}" "${RESULT_OTHER[$key]}"
  else
    printf '| %s | not measured%s | | | | | | |\n' "$label" "${range:+ | }"
  fi
}

table_head() {
  if ((BENCH_REPEAT > 1)); then
    printf '| %s | req/s | req/s range | p50 (ms) | p99 (ms) | errors | target CPU (%%) | req per CPU-s | other load (cores) |\n' "$1"
    printf '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n'
  else
    printf '| %s | req/s | p50 (ms) | p99 (ms) | errors | target CPU (%%) | req per CPU-s | other load (cores) |\n' "$1"
    printf '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n'
  fi
}

ratios() {
  local s=$1
  printf '\n| ratio | value |\n| --- | ---: |\n'
  printf '| Switchyard / nginx, req/s | %s |\n' "$(ratio "${RESULT_RPS[$s:switchyard]:-}" "${RESULT_RPS[$s:nginx]:-}")"
  printf '| Switchyard / Caddy, req/s | %s |\n' "$(ratio "${RESULT_RPS[$s:switchyard]:-}" "${RESULT_RPS[$s:caddy]:-}")"
  printf '| Switchyard / HAProxy, req/s | %s |\n' "$(ratio "${RESULT_RPS[$s:switchyard]:-}" "${RESULT_RPS[$s:haproxy]:-}")"
  printf '| Switchyard p99 / nginx p99 | %s |\n' "$(ratio "${RESULT_P99[$s:switchyard]:-}" "${RESULT_P99[$s:nginx]:-}")"
  printf '| Switchyard / nginx, req per CPU-s | %s |\n' "$(ratio "${RESULT_EFF[$s:switchyard]:-}" "${RESULT_EFF[$s:nginx]:-}")"
  printf '| Switchyard / Caddy, req per CPU-s | %s |\n' "$(ratio "${RESULT_EFF[$s:switchyard]:-}" "${RESULT_EFF[$s:caddy]:-}")"
}

render_report() {
  printf '# Switchyard benchmark, %s\n\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
  printf -- '- machine: %s CPUs (%s), %s memory, kernel %s\n' "$(nproc)" \
    "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)" \
    "$(free -h | awk '/^Mem:/ { print $2 }')" "$(uname -r)"
  printf -- '- tools: %s\n' "$(tool_versions)"
  printf -- '- load: wrk -t%s -c%s -d%ss, keep-alive, %ss warm-up per target, %s measured run(s) per figure (the one with the least other load is shown), 100-byte body from a one-worker nginx origin\n' \
    "$BENCH_THREADS" "$BENCH_CONNECTIONS" "$BENCH_DURATION" "$BENCH_WARMUP" "$BENCH_REPEAT"
  printf -- '- proxies: one worker each (nginx worker_processes 1, HAProxy nbthread 1, Caddy GOMAXPROCS=1, Switchyard one Node process)\n'
  printf -- '- CPU placement: %s\n' "$CPU_LAYOUT"
  printf -- '- target CPU: CPU time of the process under test (its whole process tree) during the run, in %% of one core; well below 100 means it was not the bottleneck\n'
  printf -- '- req per CPU-s: requests relayed per second of the target'"'"'s own CPU time; a neighbour taking the core lowers req/s more than this\n'
  printf -- '- other load: CPU used meanwhile by everything except the target, the origin and wrk, in cores; above ~0.1 the figure is disturbed\n'
  printf -- '- a shared, noisy machine: compare ratios, not absolute numbers\n'

  printf '\n## 1. One route, HTTP/1.1\n\n'
  table_head target
  row 'origin, direct (no proxy)' http:origin
  row nginx http:nginx
  row HAProxy http:haproxy
  row Caddy http:caddy
  row Switchyard http:switchyard
  ratios http

  printf '\n## 2. %s routers (Switchyard)\n\n' "$BENCH_ROUTERS"
  table_head configuration
  row '1 router, Host app-0.example.test' http:switchyard
  row "$BENCH_ROUTERS routers, Host $ROUTERS_HOST" routers:switchyard
  printf '\n| ratio | value |\n| --- | ---: |\n'
  printf '| %s routers / 1 router, req/s | %s |\n' "$BENCH_ROUTERS" \
    "$(ratio "${RESULT_RPS[routers:switchyard]:-}" "${RESULT_RPS[http:switchyard]:-}")"
  printf '| %s routers / 1 router, p99 | %s |\n' "$BENCH_ROUTERS" \
    "$(ratio "${RESULT_P99[routers:switchyard]:-}" "${RESULT_P99[http:switchyard]:-}")"
  printf '| %s routers / 1 router, req per CPU-s | %s |\n' "$BENCH_ROUTERS" \
    "$(ratio "${RESULT_EFF[routers:switchyard]:-}" "${RESULT_EFF[http:switchyard]:-}")"

  printf '\n## 3. HTTPS (TLS terminated at the proxy, plain HTTP to the origin)\n\n'
  table_head target
  row nginx https:nginx
  row HAProxy https:haproxy
  row Caddy https:caddy
  row Switchyard https:switchyard
  ratios https

  printf '\n## 4. Resident memory (process tree, ps -o rss)\n\n'
  printf '| process | after startup, idle (MiB) | after the load above (MiB) |\n| --- | ---: | ---: |\n'
  local t
  for t in nginx haproxy caddy switchyard switchyard-routers; do
    [[ -n ${RSS_IDLE[$t]:-} ]] || continue
    printf '| %s | %s | %s |\n' "$(rss_label "$t")" "$(mib "${RSS_IDLE[$t]}")" "$(mib "${RSS_LOADED[$t]:-}")"
  done
  if [[ -n ${RSS_IDLE[switchyard]:-} && -n ${RSS_IDLE[switchyard-routers]:-} ]]; then
    printf '\nSwitchyard idle RSS, %s routers / 1 router: %s\n' "$BENCH_ROUTERS" \
      "$(ratio "${RSS_IDLE[switchyard-routers]}" "${RSS_IDLE[switchyard]}")"
  fi

  if ((${#NOTES[@]})); then
    printf '\n## Notes\n\n'
    printf -- '- %s\n' "${NOTES[@]}"
  fi
}

rss_label() {
  case $1 in
    nginx) echo 'nginx (master + 1 worker)' ;;
    haproxy) echo 'HAProxy' ;;
    caddy) echo 'Caddy' ;;
    switchyard) echo 'Switchyard, 1 host (2 routers: web + websecure)' ;;
    switchyard-routers) echo "Switchyard, $BENCH_ROUTERS routers" ;;
  esac
}
