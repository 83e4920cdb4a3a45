# The configurations overhead.sh compares, shared with profile.sh (PROFILE_VARIANT) so
# that a variant is profiled exactly as it is measured. Expects BENCH_HOST, ORIGIN_PORT and
# METRICS_PORT to be set.
#   baseline     one Host router, no middleware
#   middlewares  the same router with headers + stripPrefix + rateLimit + compress
#   access-log   baseline + accessLog { filePath: DIR/access.log, format: json }
#   metrics      baseline + metrics { prometheus: {} } (served on the `traefik` entrypoint)

OVERHEAD_VARIANTS=(baseline middlewares access-log metrics)

# write_variant_config VARIANT DIR PORT : static file + one dynamic file for VARIANT, its
# `web` entrypoint on 127.0.0.1:PORT.
write_variant_config() {
  local variant=$1 dir=$2 port=$3
  case $variant in
    baseline | middlewares | access-log | metrics) ;;
    *) die "unknown variant $variant (one of: ${OVERHEAD_VARIANTS[*]})" ;;
  esac
  mkdir -p "$dir/dynamic" "$dir/state"
  {
    printf 'entryPoints:\n  web:\n    address: "127.0.0.1:%s"\n' "$port"
    if [[ $variant == metrics ]]; then
      printf '  traefik:\n    address: "127.0.0.1:%s"\n' "$METRICS_PORT"
      printf 'metrics:\n  prometheus: {}\n'
    fi
    if [[ $variant == access-log ]]; then
      printf 'accessLog:\n  filePath: %s/access.log\n  format: json\n' "$dir"
    fi
    printf 'providers:\n  file:\n    directory: %s/dynamic\n    watch: false\n' "$dir"
    printf 'stateDir: %s/state\n' "$dir"
  } >"$dir/static.yml"
  {
    printf 'http:\n  routers:\n    app-0:\n'
    printf '      rule: "Host(`%s`)"\n      entryPoints: [web]\n      service: app-0\n' "$BENCH_HOST"
    if [[ $variant == middlewares ]]; then
      printf '      middlewares: [bench-headers, bench-strip, bench-ratelimit, bench-compress]\n'
      cat <<'YAML'
  middlewares:
    bench-headers:
      headers:
        customResponseHeaders:
          X-Bench: "1"
        customRequestHeaders:
          X-Req: "1"
    bench-strip:
      stripPrefix:
        prefixes: [/bench]
    bench-ratelimit:
      rateLimit:
        average: 10000000
        burst: 10000000
    bench-compress:
      compress: {}
YAML
    fi
    printf '  services:\n    app-0:\n      loadBalancer:\n        servers:\n'
    printf '          - url: "http://127.0.0.1:%s"\n' "$ORIGIN_PORT"
  } >"$dir/dynamic/routers.yml"
}
