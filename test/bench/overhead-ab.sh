#!/usr/bin/env bash
# Two builds of Switchyard through overhead.sh, alternately (A, B, A, B...), so that a
# change's effect on the cost of a variant is read against the same machine's drift: on
# a shared machine a few percent between two runs is noise, and only the median of
# several alternated runs tells. Prints each build's costs (1 - variant / baseline of the
# same run, req per CPU-s) run by run and their median, and each run's baseline.
#
#   BENCH_A=ad5d8c0 BENCH_B=worktree bash test/bench/overhead-ab.sh
#
# BENCH_A and BENCH_B: a git revision (built from `git archive` of it), `worktree` (the
# working tree's src/, as it is now) or the path of a built dist/cli/main.js. Each is built
# in its own temp dir with the repository's node_modules, so other work in progress in
# the tree does not enter it (dist/ is left alone).
#
# Environment: BENCH_ROUNDS (3), BENCH_VARIANTS (as overhead.sh: the variants besides the
# baseline, e.g. "access-log"), and overhead.sh's own (BENCH_DURATION, BENCH_PORT_BASE...).
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$BENCH_DIR/../.." && pwd)
cd "$REPO_DIR"
# shellcheck source=/dev/null
source "$BENCH_DIR/lib/common.sh"

BENCH_ROUNDS=${BENCH_ROUNDS:-3}
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

trim() {
  local text=$1
  text=${text#"${text%%[![:space:]]*}"}
  printf '%s' "${text%"${text##*[![:space:]]}"}"
}

declare -A COSTS=() BASELINES=() LABELS=()
for ((round = 1; round <= BENCH_ROUNDS; round++)); do
  for side in a b; do
    main=$MAIN_A
    [[ $side == b ]] && main=$MAIN_B
    log "round $round of $BENCH_ROUNDS, build $side"
    report=$(BENCH_SWITCHYARD_MAIN=$main bash "$BENCH_DIR/overhead.sh")
    # Table rows: | label | req/s | p99 | errors | CPU | req per CPU-s | other | cost | cost |
    while IFS='|' read -r _ label _ _ _ _ eff other cost _; do
      label=$(trim "$label")
      if [[ $label == baseline* ]]; then
        BASELINES[$side]+="$(trim "$eff") (other load $(trim "$other")) · "
        continue
      fi
      LABELS[$label]=1
      COSTS[$side/$label]+="$(trim "$cost") "
    done < <(grep -E '^\| [a-z]' <<<"$report" | grep -v '^| variant')
  done
done

median() { tr ' ' '\n' <<<"$1" | grep -v -e '^$' -e 'n/a' | sort -g | awk '{ v[NR] = $1 } END { print NR ? v[int((NR + 1) / 2)] : "n/a" }'; }

printf '\nA = %s, B = %s, %s alternated runs each\n\n' "$BENCH_A" "$BENCH_B" "$BENCH_ROUNDS"
printf 'baseline req per CPU-s, A: %s\nbaseline req per CPU-s, B: %s\n\n' "${BASELINES[a]% · }" "${BASELINES[b]% · }"
printf '| variant | A: cost per run (%%) | A: median | B: cost per run (%%) | B: median |\n| --- | --- | ---: | --- | ---: |\n'
for label in "${!LABELS[@]}"; do
  printf '| %s | %s | %s | %s | %s |\n' "$label" "${COSTS[a/$label]% }" "$(median "${COSTS[a/$label]}")" \
    "${COSTS[b/$label]% }" "$(median "${COSTS[b/$label]}")"
done
