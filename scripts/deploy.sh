#!/usr/bin/env bash
# Every root of an environment, in dependency order:
#   scripts/deploy.sh <plan|apply|destroy> <env> [--allow-destroy] [--detailed-exitcode]
#
# Roots of one dependency level run at the same time (their output is shown when each
# finishes); destroy walks the levels in reverse. Options are passed to scripts/tf.sh.
# With --detailed-exitcode, plan exits 2 when any root has changes (0: none pending).
# CORPUS_DEPLOY_SERIAL=1 runs one root at a time.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib/tf-common.sh
source "$here/lib/tf-common.sh"

usage() {
  echo "usage: scripts/deploy.sh <plan|apply|destroy> <env> [--allow-destroy] [--detailed-exitcode]" >&2
  echo "  envs: $(corpus_tf_envs | tr '\n' ' ')" >&2
  exit 2
}

[[ $# -ge 2 ]] || usage
action="$1" env="$2"
shift 2
case "$action" in plan | apply | destroy) ;; *) usage ;; esac
corpus_tf_is_env "$env" || usage
for arg in "$@"; do
  case "$arg" in --allow-destroy | --detailed-exitcode) ;; *) usage ;; esac
done

mapfile -t levels < <(corpus_tf_levels "$env")
if [[ "$action" == destroy ]]; then
  mapfile -t levels < <(printf '%s\n' "${levels[@]}" | tac)
fi

corpus_venv
corpus_tf_cli_config
logs="$(corpus_tf_work_dir)/deploy-logs"
mkdir -p "$logs"

changes=0
run_root() {
  local root="$1" rc=0
  shift
  "$here/tf.sh" "$action" "$env" "$root" "$@" || rc=$?
  return "$rc"
}

start=$(date +%s)
for level in "${levels[@]}"; do
  read -r -a roots <<<"$level"
  if [[ "$action" == destroy ]]; then
    mapfile -t roots < <(printf '%s\n' "${roots[@]}" | tac)
  fi
  if [[ ${#roots[@]} -eq 1 || "${CORPUS_DEPLOY_SERIAL:-0}" == 1 ]]; then
    for root in "${roots[@]}"; do
      echo "deploy.sh: $action $env/$root" >&2
      rc=0
      run_root "$root" "$@" || rc=$?
      if [[ $rc -eq 2 && "$action" == plan ]]; then
        changes=1
      elif [[ $rc -ne 0 ]]; then
        echo "deploy.sh: $action $env/$root failed (exit $rc)" >&2
        exit "$rc"
      fi
    done
    continue
  fi
  declare -A pids=()
  for root in "${roots[@]}"; do
    echo "deploy.sh: $action $env/$root (in parallel; log $logs/$env-$root.log)" >&2
    run_root "$root" "$@" >"$logs/$env-$root.log" 2>&1 &
    pids[$root]=$!
  done
  failed=0
  for root in "${roots[@]}"; do
    rc=0
    wait "${pids[$root]}" || rc=$?
    echo "----- $env/$root (exit $rc)" >&2
    cat "$logs/$env-$root.log"
    if [[ $rc -eq 2 && "$action" == plan ]]; then
      changes=1
    elif [[ $rc -ne 0 ]]; then
      echo "deploy.sh: $action $env/$root failed (exit $rc)" >&2
      failed=$rc
    fi
  done
  unset pids
  [[ $failed -eq 0 ]] || exit "$failed"
done

echo "deploy.sh: $action $env done in $(($(date +%s) - start))s" >&2
if [[ $changes -eq 1 ]]; then
  echo "deploy.sh: changes pending in $env" >&2
  exit 2
fi
