# Switchyard in standalone mode, configured the Traefik way: a static file naming the
# entry points and the file provider, and a directory of dynamic YAML. One process
# (the Node main thread does the proxying); its process tree is what RSS and CPU count.

SWITCHYARD_MAIN=${BENCH_SWITCHYARD_MAIN:-dist/cli/main.js}

# write_switchyard_config DIR HTTP_PORT HTTPS_PORT ROUTERS
# ROUTERS Host routers app-0 .. app-(ROUTERS-1) on `web`, each with its own service (as
# one container per app would give), all pointing at the origin. With ROUTERS=1 the
# host also gets a TLS router on `websecure`, with the bench certificate.
write_switchyard_config() {
  local dir=$1 http=$2 https=$3 routers=$4
  mkdir -p "$dir/dynamic" "$dir/state"
  cat >"$dir/static.yml" <<CONF
entryPoints:
  web:
    address: "127.0.0.1:$http"
  websecure:
    address: "127.0.0.1:$https"
providers:
  file:
    directory: $dir/dynamic
    watch: false
stateDir: $dir/state
CONF
  awk -v n="$routers" -v origin="http://127.0.0.1:$ORIGIN_PORT" \
    -v cert="$BENCH_TMP/cert.pem" -v key="$BENCH_TMP/key.pem" '
    BEGIN {
      print "http:"
      print "  routers:"
      for (i = 0; i < n; i++) {
        printf "    app-%d:\n      rule: \"Host(`app-%d.example.test`)\"\n", i, i
        printf "      entryPoints: [web]\n      service: app-%d\n", i
      }
      if (n == 1) {
        print "    app-0-tls:\n      rule: \"Host(`app-0.example.test`)\""
        print "      entryPoints: [websecure]\n      service: app-0\n      tls: {}"
      }
      print "  services:"
      for (i = 0; i < n; i++) {
        printf "    app-%d:\n      loadBalancer:\n        servers:\n          - url: \"%s\"\n", i, origin
      }
      if (n == 1) {
        print "tls:\n  certificates:"
        printf "    - certFile: %s\n      keyFile: %s\n", cert, key
      }
    }' >"$dir/dynamic/routers.yml"
}

# start_switchyard NAME DIR : start the process; the caller waits for readiness.
start_switchyard() {
  local name=$1 dir=$2
  start_bg "$name" "${PROXY_PIN[@]}" node "$SWITCHYARD_MAIN" standalone --config "$dir/static.yml"
}
