#!/usr/bin/env bash
# Two builds of Switchyard through overhead.sh in the same rounds: every variant of both
# builds runs once per round, so that a change's effect on the cost of a variant is read
# against the same minutes of the machine (on this shared machine a few percent between
# two runs minutes apart is noise). Prints overhead.sh's table, a row per build and variant.
#
#   BENCH_A=ad5d8c0 BENCH_B=worktree bash test/bench/overhead-ab.sh
#
# BENCH_A and BENCH_B: a git revision (built from `git archive` of it), `worktree` (the
# working tree's src/, as it is now) or the path of a built dist/cli/main.js. Each is built
# in its own temp dir with the repository's node_modules, so other work in progress in
# the tree does not enter it (dist/ is left alone).
#
# Environment: overhead.sh's (BENCH_ROUNDS, BENCH_VARIANTS, BENCH_DURATION...).
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$BENCH_DIR/../.." && pwd)
cd "$REPO_DIR"
# shellcheck source=/dev/null
source "$BENCH_DIR/lib/common.sh"

[[ -n ${BENCH_A:-} && -n ${BENCH_B:-} ]] || die "set BENCH_A and BENCH_B (git revision, worktree, or a main.js)"
AB_TMP=$(mktemp -d /tmp/switchyard-overhead-ab.XXXXXX)
trap 'rm -rf "$AB_TMP"' EXIT

# build NAME SPEC : sets BUILT to the main.js of SPEC, built in $AB_TMP/NAME if needed.
build() {
  local name=$1 spec=$2 dir=$AB_TMP/$1
  if [[ -f $spec ]]; then
    BUILT=$(cd "$(dirname "$spec")" && pwd)/$(basename "$spec")
    return
  fi
  mkdir -p "$dir"
  if [[ $spec == worktree ]]; then
    cp -r src tsconfig.json tsconfig.build.json package.json "$dir/"
  else
    git archive "$spec" | tar -x -C "$dir" || die "cannot read revision $spec"
  fi
  ln -s "$REPO_DIR/node_modules" "$dir/node_modules"
  log "building $name ($spec)"
  (cd "$dir" && npx tsc -p tsconfig.build.json) >"$AB_TMP/$name-build.log" 2>&1 ||
    die "build of $spec failed (see $AB_TMP/$name-build.log)"
  BUILT=$dir/dist/cli/main.js
}

build a "$BENCH_A"
MAIN_A=$BUILT
build b "$BENCH_B"
MAIN_B=$BUILT

BENCH_BUILDS_NOTE="A = $BENCH_A, B = $BENCH_B" BENCH_SWITCHYARD_MAIN=$MAIN_A BENCH_SWITCHYARD_MAIN_B=$MAIN_B \
  bash "$BENCH_DIR/overhead.sh"
