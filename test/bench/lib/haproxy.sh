# HAProxy in http mode: one thread, keep-alive on both sides with idle server
# connections shared between clients (http-reuse always), TLS terminated here.
# Requests are routed on the Host header, as the other proxies do.

start_haproxy() {
  local dir=$BENCH_TMP/haproxy http=$1 https=$2
  mkdir -p "$dir"
  cat >"$dir/haproxy.cfg" <<CONF
global
  nbthread 1
  maxconn 4096

defaults
  mode http
  option http-keep-alive
  option forwardfor
  http-reuse always
  timeout connect 5s
  timeout client 120s
  timeout server 120s
  timeout http-keep-alive 120s

frontend bench
  bind 127.0.0.1:$http
  bind 127.0.0.1:$https ssl crt $BENCH_TMP/haproxy.pem
  http-request set-header X-Forwarded-Proto https if { ssl_fc }
  http-request set-header X-Forwarded-Proto http if !{ ssl_fc }
  http-request set-header X-Forwarded-Host %[req.hdr(host)]
  use_backend origin if { req.hdr(host) -i $BENCH_HOST }

backend origin
  server origin 127.0.0.1:$ORIGIN_PORT
CONF
  start_bg haproxy "${PROXY_PIN[@]}" haproxy -db -f "$dir/haproxy.cfg"
}
