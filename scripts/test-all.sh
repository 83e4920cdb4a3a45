#!/usr/bin/env bash
# The full test suite: what CI runs and what the README names. Installs what it needs.
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund
bash scripts/ensure-debian-packages.sh etcd:etcd-server htpasswd:apache2-utils pebble:pebble pebble-challtestsrv:pebble knotd:knot docker-compose:docker-compose openssl:openssl
npm run lint
npm run typecheck
npm run build
bash scripts/ensure-docker.sh
node scripts/run-tests.mjs test/unit test/integration
# End to end in a real engine: images built offline, then Compose, Swarm and Pebble.
npm run test:e2e
