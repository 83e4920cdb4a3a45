#!/bin/sh
# The control image's entrypoint. Switchyard runs as the unprivileged user `switchyard`; the
# image starts as root only so that this script can hand that user what it needs:
# - the group of the mounted Docker socket, whose gid differs from host to host (the socket
#   is root-equivalent anyway: whoever can use it controls the host's containers);
# - ownership of its directories when a bind mount brought one in owned by root.
# It then drops every privilege (setpriv, from util-linux) and runs `switchyard "$@"`.
# Started as another user (`user:` in Compose), it runs switchyard directly.
set -eu
# Docker secrets are files; these two options take values. NAME_FILE=path sets NAME from the
# file (the convention of the official images), read here while still root.
for name in SWITCHYARD_BOOTSTRAP_TOKEN SWITCHYARD_TOKEN; do
  file=$(printenv "${name}_FILE" || true)
  if [ -n "$file" ]; then
    if [ ! -r "$file" ]; then
      echo "switchyard-entrypoint: ${name}_FILE: cannot read $file" >&2
      exit 2
    fi
    export "$name=$(cat "$file")"
    unset "${name}_FILE"
  fi
done
if [ "$(id -u)" != 0 ]; then
  exec /usr/local/bin/switchyard "$@"
fi
groups=10001
for socket in /var/run/docker.sock /run/docker.sock; do
  if [ -S "$socket" ]; then
    groups="$groups,$(stat -c %g "$socket")"
    break
  fi
done
for dir in /var/lib/switchyard /var/lib/switchyard-tokens /var/lib/switchyard-admin; do
  if [ -d "$dir" ] && [ "$(stat -c %u "$dir")" != 10001 ]; then
    chown -R 10001:10001 "$dir"
  fi
done
exec setpriv --reuid=10001 --regid=10001 --groups="$groups" --inh-caps=-all --bounding-set=-all \
  --no-new-privs -- /usr/local/bin/switchyard "$@"
