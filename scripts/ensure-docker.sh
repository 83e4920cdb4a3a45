#!/usr/bin/env bash
# Makes a Docker engine answer on /var/run/docker.sock, for the Docker and Swarm tests:
# installs Debian's docker.io when dockerd is missing (a docker CLI alone is not an engine)
# and busybox-static (the tests build their image from it: there is no registry to pull
# from), then starts dockerd in the background, logging to $SWITCHYARD_DOCKERD_LOG, unless
# it answers already. Idempotent: a running engine is left alone.
set -euo pipefail
cd "$(dirname "$0")/.."
log=${SWITCHYARD_DOCKERD_LOG:-/tmp/switchyard-dockerd/dockerd.log}
wait_s=${SWITCHYARD_DOCKERD_WAIT:-60}

answers() { timeout 10 docker info >/dev/null 2>&1; }

bash scripts/ensure-debian-packages.sh dockerd:docker.io docker:docker.io
if ! dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'ok installed'; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing Debian package: busybox-static (run as root, or install it)" >&2
    exit 1
  fi
  echo "installing Debian packages: busybox-static"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends busybox-static >/dev/null
fi

answers && exit 0

if ! pgrep -x dockerd >/dev/null; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "no Docker engine answers and dockerd needs root to start" >&2
    exit 1
  fi
  mkdir -p "$(dirname "$log")"
  echo "starting dockerd (log: $log)"
  # Its own session, so that it outlives this script and the test run that called it.
  setsid nohup dockerd >>"$log" 2>&1 </dev/null &
fi

for _ in $(seq 1 "$wait_s"); do
  answers && exit 0
  sleep 1
done
echo "dockerd did not answer within ${wait_s}s; the end of $log:" >&2
tail -n 30 "$log" >&2 || true
exit 1
