#!/usr/bin/env bash
# The tmi-deploy commands of .github/workflows/tmi-deploy.yml, one subcommand per job, so that
# tests/test_workflow.py runs the very same steps against the sandbox. GitHub-only work (artifacts,
# comments, issues) stays in the workflow.
#
#   plan OUT_DIR [OPTION...]   validate --strict, then plan the environments (all, or those the plan
#                        options select: --changed-since REF, --shard I/N): OUT_DIR/plan.json (the
#                        reviewed plan, kept as the pull request's artifact) and OUT_DIR/comment.md
#   apply ENV PLAN_DIR   apply ENV exactly as reviewed in the plan.json under PLAN_DIR (shards each
#                        have their own) that holds ENV, then check it converged. No reviewed plan
#                        holding ENV is an error: the workflow asks for ENV only when a merge changed
#                        it. A stale plan exits 4 and leaves a fresh plan in PLAN_DIR/stale.md
#   drift OUT_DIR        plan every environment; exit 2 with OUT_DIR/drift.md when live state drifted
#
# Which environments a pull request plans, and which reviewed plan a merge applies, is decided by
# .github/tmi-deploy-ci.py (GitHub's side); this script only runs tmi-deploy.
#
# Environment: HEROKU_API_KEY (and TMI_DEPLOY_PLAN_KEY when plan and apply use different tokens),
# TMI_DEPLOY_ENVIRONMENTS (default: environments), HEROKU_API_URL (tests point it at the sandbox).
set -uo pipefail

envdir="${TMI_DEPLOY_ENVIRONMENTS:-environments}"
tmi() { tmi-deploy --environments "$envdir" "$@"; }

environments() {
  local file name
  for file in "$envdir"/*.yml; do
    name=$(basename "$file" .yml)
    [[ $name == _* ]] || printf '%s\n' "$name"
  done
}

plan_step() {
  local out=$1 code
  shift
  mkdir -p "$out"
  tmi validate --strict || return 1
  if [[ $# -gt 0 ]]; then
    tmi plan "$@" --format markdown --out "$out/plan.json" > "$out/comment.md"
  else
    mapfile -t names < <(environments)
    tmi plan "${names[@]}" --format markdown --out "$out/plan.json" > "$out/comment.md"
  fi
  code=$?
  [[ $code == 0 ]] || echo "plan exited $code: apply would refuse this plan (see the comment)" >&2
  return "$code"
}

reviewed_plan_of() {
  local env=$1 dir=$2 file
  while IFS= read -r file; do
    if python3 -c 'import json, sys; sys.exit(0 if any(e.get("environment") == sys.argv[2] for e in json.load(open(sys.argv[1])).get("environments", [])) else 1)' "$file" "$env" 2>/dev/null; then
      printf '%s\n' "$file"
      return 0
    fi
  done < <(find "$dir" -name plan.json -type f | sort)
  return 1
}

apply_step() {
  local env=$1 dir=$2 code reviewed
  if ! reviewed=$(reviewed_plan_of "$env" "$dir"); then
    echo "::error::$env: no reviewed plan under $dir holds it, so nothing reviewed can be applied" >&2
    return 1
  fi
  tmi apply "$env" --plan "$reviewed" --yes
  code=$?
  if [[ $code == 4 ]]; then
    {
      printf '### `%s`: the reviewed plan is stale\n\n' "$env"
      printf 'Live state or the declaration changed between review and merge; nothing was applied.\n'
      printf 'This is the plan as of now. Re-running the workflow would apply the same stale plan again:\n'
      printf 'to apply this one, open a pull request that changes `environments/%s.yml` (a comment line\n' "$env"
      printf 'is enough); its plan is reviewed afresh and applied when it is merged.\n\n'
      tmi plan "$env" --format markdown
    } > "$dir/stale.md"
  fi
  [[ $code == 0 ]] || return "$code"
  tmi plan "$env" --detailed-exitcode > /dev/null || { echo "apply of $env did not converge" >&2; return 1; }
}

drift_step() {
  local out=$1 code
  mkdir -p "$out"
  mapfile -t names < <(environments)
  tmi plan "${names[@]}" --format markdown --detailed-exitcode > "$out/drift.md"
  code=$?
  return "$code"
}

case "${1:-}" in
  plan) shift; plan_step "${1:?OUT_DIR}" "${@:2}" ;;
  apply) apply_step "${2:?ENV}" "${3:?PLAN_DIR}" ;;
  drift) drift_step "${2:?OUT_DIR}" ;;
  *) echo "usage: $0 plan OUT_DIR [PLAN OPTION...] | apply ENV PLAN_DIR | drift OUT_DIR" >&2; exit 1 ;;
esac
