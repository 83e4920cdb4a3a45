# Makes sure the load generator and the peers are installed (Debian packages).
# The packages' own system services are never used: the bench starts private instances
# on loopback ports. A service that the installation itself would start is prevented
# (policy-rc.d) and, under systemd, stopped and disabled afterwards.

# command -> Debian package
declare -A BENCH_PACKAGES=(
  [nginx]=nginx
  [haproxy]=haproxy
  [caddy]=caddy
  [wrk]=wrk
  [openssl]=openssl
  [curl]=curl
  [taskset]=util-linux
  [ss]=iproute2
)

ensure_tools() {
  local cmd missing=()
  for cmd in "${!BENCH_PACKAGES[@]}"; do
    command -v "$cmd" >/dev/null 2>&1 || missing+=("${BENCH_PACKAGES[$cmd]}")
  done
  ((${#missing[@]} == 0)) && return 0

  log "installing missing packages: ${missing[*]}"
  local sudo=()
  if ((EUID != 0)); then
    command -v sudo >/dev/null 2>&1 || die "need root (or sudo) to apt-get install ${missing[*]}"
    sudo=(sudo)
  fi

  # Exit code 101 tells invoke-rc.d and deb-systemd-invoke not to start the services.
  local policy=/usr/sbin/policy-rc.d created_policy=0
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
    "${sudo[@]}" chmod 755 "$policy"
    created_policy=1
  fi
  local rc=0
  "${sudo[@]}" apt-get update -q &&
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" || rc=$?
  ((created_policy)) && "${sudo[@]}" rm -f "$policy"
  ((rc == 0)) || die "apt-get install failed (exit $rc)"

  if [[ -d /run/systemd/system ]]; then
    local pkg
    for pkg in nginx haproxy caddy; do
      [[ " ${missing[*]} " == *" $pkg "* ]] && "${sudo[@]}" systemctl disable --now "$pkg" >/dev/null 2>&1 || true
    done
  fi
  for cmd in "${!BENCH_PACKAGES[@]}"; do
    command -v "$cmd" >/dev/null 2>&1 || die "$cmd still missing after installation"
  done
}

tool_versions() {
  printf 'node %s; ' "$(node --version)"
  printf 'nginx %s; ' "$(nginx -v 2>&1 | sed 's|.*nginx/||')"
  printf 'haproxy %s; ' "$(haproxy -v | awk 'NR==1 {print $3}')"
  printf 'caddy %s; ' "$(caddy version | awk '{print $1}')"
  printf 'wrk %s; ' "$(wrk --version 2>&1 | awk 'NR==1 {print $2}')"
  printf '%s\n' "$(openssl version | awk '{print $1, $2}')"
}
