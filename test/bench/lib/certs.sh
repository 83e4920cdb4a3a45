# Self-signed certificate shared by every TLS endpoint, so that all of them do the same
# handshake work (ECDSA P-256, the common choice today).

make_cert() {
  local dir=$1
  openssl req -x509 -nodes -days 2 \
    -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
    -keyout "$dir/key.pem" -out "$dir/cert.pem" \
    -subj "/CN=$BENCH_HOST" \
    -addext "subjectAltName=DNS:*.example.test,IP:127.0.0.1" >/dev/null 2>&1 ||
    die "openssl could not create the self-signed certificate"
  # HAProxy wants certificate and key in one file.
  cat "$dir/cert.pem" "$dir/key.pem" >"$dir/haproxy.pem"
}
