# Caddy's reverse_proxy: GOMAXPROCS=1 so that Go schedules goroutines on one thread, as
# the other proxies use one worker. Admin endpoint and certificate automation are off;
# TLS uses the bench certificate. Caddy adds X-Forwarded-* by itself. Its idle upstream
# pool is raised from 32 to 128 per host, as nginx's, so that 50 client connections do
# not churn upstream connections.

start_caddy() {
  local dir=$BENCH_TMP/caddy http=$1 https=$2
  mkdir -p "$dir"
  cat >"$dir/Caddyfile" <<CONF
{
  admin off
  auto_https disable_redirects
  skip_install_trust
  storage file_system $dir/data
}

(proxy) {
  reverse_proxy 127.0.0.1:$ORIGIN_PORT {
    transport http {
      keepalive_idle_conns_per_host 128
    }
  }
}

http://$BENCH_HOST:$http {
  bind 127.0.0.1
  import proxy
}

https://$BENCH_HOST:$https {
  bind 127.0.0.1
  tls $BENCH_TMP/cert.pem $BENCH_TMP/key.pem
  import proxy
}
CONF
  start_bg caddy "${PROXY_PIN[@]}" env GOMAXPROCS=1 HOME="$dir" \
    XDG_DATA_HOME="$dir/xdg-data" XDG_CONFIG_HOME="$dir/xdg-config" \
    caddy run --adapter caddyfile --config "$dir/Caddyfile"
}
