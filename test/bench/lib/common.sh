# Shared helpers for the benchmark: logging, process bookkeeping, readiness, CPU and RSS.
# Sourced by run.sh; expects BENCH_TMP to be set.

log() { printf '[bench] %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

# Every process the bench starts is recorded here so that the EXIT trap stops exactly
# those, by id, and nothing else on the machine.
BENCH_PIDS=()

# start_bg NAME CMD... : start CMD in its own session (so its workers share a process
# group we own), logging to $BENCH_TMP/NAME.log; sets LAST_PID. Not to be called in a
# subshell, or the pid would escape the bookkeeping.
start_bg() {
  local name=$1
  shift
  setsid "$@" >"$BENCH_TMP/$name.log" 2>&1 </dev/null &
  local pid=$!
  BENCH_PIDS+=("$pid")
  LAST_PID=$pid
}

# stop_pid PID : TERM the process group led by PID, then KILL it if still there after 5 s.
stop_pid() {
  local pid=$1 i
  kill -TERM -- "-$pid" 2>/dev/null || return 0
  for ((i = 0; i < 50; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL -- "-$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# stop_started PID : stop one process started by start_bg and forget it.
stop_started() {
  local pid=$1 kept=() p
  stop_pid "$pid"
  for p in "${BENCH_PIDS[@]}"; do [[ $p == "$pid" ]] || kept+=("$p"); done
  BENCH_PIDS=("${kept[@]}")
}

stop_all() {
  local pid
  for pid in "${BENCH_PIDS[@]}"; do stop_pid "$pid"; done
  BENCH_PIDS=()
}

# port_free PORT : true when nothing listens on 127.0.0.1:PORT.
port_free() {
  ! ss -Htln "sport = :$1" | grep -q .
}

# wait_ready PID URL HOST TIMEOUT_S : poll URL (with Host header) until it answers 200.
# Fails early if the process died.
wait_ready() {
  local pid=$1 url=$2 host=$3 timeout=$4 code deadline
  deadline=$((SECONDS + timeout))
  while ((SECONDS < deadline)); do
    if ! kill -0 "$pid" 2>/dev/null; then return 1; fi
    code=$(curl -sk -o /dev/null -w '%{http_code}' --max-time 2 -H "Host: $host" "$url" || true)
    [[ $code == 200 ]] && return 0
    sleep 0.2
  done
  return 1
}

# check_body URL HOST : the response must be 200 with exactly the origin's body, so that
# a proxy answering fast with an error page cannot pass for a fast proxy.
check_body() {
  local url=$1 host=$2 got
  got=$(curl -sk --max-time 5 -H "Host: $host" "$url") || return 1
  [[ $got == "$ORIGIN_BODY" ]]
}

# tree_pids PID : PID and all its descendants.
tree_pids() {
  local pid=$1 child
  echo "$pid"
  for child in $(ps -o pid= --ppid "$pid" 2>/dev/null); do tree_pids "$child"; done
}

# cpu_ticks PID : user+system clock ticks consumed by PID's process tree so far.
cpu_ticks() {
  local total=0 p rest
  for p in $(tree_pids "$1"); do
    # Field 2 (comm) may hold spaces; everything after the last ") " starts at field 3.
    rest=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null) || continue
    # shellcheck disable=SC2086
    set -- $rest
    total=$((total + ${12} + ${13}))
  done
  echo "$total"
}

# rss_kb PID : resident set size of PID's process tree, in KiB.
rss_kb() {
  local total=0 p r
  for p in $(tree_pids "$1"); do
    r=$(ps -o rss= -p "$p" 2>/dev/null | tr -d ' ') || continue
    [[ -n $r ]] && total=$((total + r))
  done
  echo "$total"
}

# bench_setup NAME: CPU placement and a temp dir removed at exit, shared by every bench
# script. With two CPUs or more the process under test gets a CPU of its own and wrk and
# the origin share the rest, so proxies compete with the load generator equally.
# Sets PROXY_PIN, ORIGIN_PIN, LOAD_PIN (taskset prefixes), CPU_LAYOUT and BENCH_TMP.
bench_setup() {
  PROXY_PIN=() ORIGIN_PIN=() LOAD_PIN=()
  local ncpu
  ncpu=$(nproc)
  if [[ ${BENCH_PIN:-1} == 1 ]] && ((ncpu >= 2)); then
    PROXY_PIN=(taskset -c $((ncpu - 1)))
    ORIGIN_PIN=(taskset -c "0-$((ncpu - 2))")
    LOAD_PIN=(taskset -c "0-$((ncpu - 2))")
    CPU_LAYOUT="proxy pinned to CPU $((ncpu - 1)); wrk and the origin on CPUs 0-$((ncpu - 2)) (taskset)"
  else
    CPU_LAYOUT="not pinned; the scheduler spreads wrk, origin and proxy over $ncpu CPUs"
  fi
  BENCH_TMP=$(mktemp -d "/tmp/switchyard-$1.XXXXXX")
  # nginx workers run as an unprivileged user when started by root; let them traverse.
  chmod 755 "$BENCH_TMP"
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
}

bench_cleanup() {
  local rc=$?
  stop_all
  # A failed run keeps its configs and logs for diagnosis; an interrupted one does not.
  if [[ ${BENCH_KEEP_TMP:-0} == 1 || ($rc != 0 && $rc != 130) ]]; then
    log "configs and logs kept in $BENCH_TMP"
  else
    rm -rf "$BENCH_TMP"
  fi
  exit "$rc"
}
