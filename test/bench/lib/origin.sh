# The origin behind every proxy: a private nginx instance, one worker, answering every
# request with the same fixed 100-byte body from memory (`return 200`). nginx is the
# fastest server at hand that does no work per request beyond HTTP parsing, so the
# origin stays well ahead of every proxy and the figures measure the proxies. It
# listens on its own port; the nginx under test is a separate instance.

start_origin() {
  local dir=$BENCH_TMP/origin port=$1
  mkdir -p "$dir"
  cat >"$dir/nginx.conf" <<CONF
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  default_type text/plain;
  keepalive_requests 1000000;
  keepalive_timeout 120s;
  client_body_temp_path $dir/body;
  proxy_temp_path $dir/proxy;
  fastcgi_temp_path $dir/fastcgi;
  uwsgi_temp_path $dir/uwsgi;
  scgi_temp_path $dir/scgi;
  server {
    listen 127.0.0.1:$port backlog=4096;
    location / { return 200 "$ORIGIN_BODY"; }
  }
}
CONF
  start_bg origin "${ORIGIN_PIN[@]}" nginx -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf" -g 'daemon off;'
}
