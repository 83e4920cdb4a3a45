# nginx as a reverse proxy: one worker, upstream keep-alive, TLS terminated here.
# It adds the X-Forwarded-* headers that Traefik (and so Switchyard) adds, so that
# every proxy does comparable work per request.

start_nginx() {
  local dir=$BENCH_TMP/nginx http=$1 https=$2
  mkdir -p "$dir"
  cat >"$dir/nginx.conf" <<CONF
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  keepalive_timeout 120s;
  client_body_temp_path $dir/body;
  proxy_temp_path $dir/proxy;
  fastcgi_temp_path $dir/fastcgi;
  uwsgi_temp_path $dir/uwsgi;
  scgi_temp_path $dir/scgi;
  upstream origin {
    server 127.0.0.1:$ORIGIN_PORT;
    keepalive 128;
    keepalive_requests 1000000;
  }
  server {
    listen 127.0.0.1:$http backlog=4096;
    listen 127.0.0.1:$https ssl backlog=4096;
    server_name $BENCH_HOST;
    ssl_certificate $BENCH_TMP/cert.pem;
    ssl_certificate_key $BENCH_TMP/key.pem;
    location / {
      proxy_pass http://origin;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto \$scheme;
      proxy_set_header X-Forwarded-Host \$host;
    }
  }
}
CONF
  start_bg nginx "${PROXY_PIN[@]}" nginx -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf" -g 'daemon off;'
}
