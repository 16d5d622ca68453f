#!/usr/bin/env bash
# Pick an environment, a root (or all of them) and an action with fzf, then run
# scripts/tf.sh or scripts/deploy.sh. No arguments.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib/tf-common.sh
source "$here/lib/tf-common.sh"

if [[ $# -ne 0 ]]; then
  echo "usage: scripts/interactive.sh   (menus: environment, root, action)" >&2
  exit 2
fi
if ! command -v fzf >/dev/null 2>&1; then
  echo "interactive.sh: fzf is not installed: apt-get install fzf (or brew install fzf)" >&2
  exit 1
fi

pick() {
  local prompt="$1"
  shift
  printf '%s\n' "$@" | fzf --prompt="$prompt> " --height=40% --reverse --no-multi
}

mapfile -t envs < <(corpus_tf_envs)
env="$(pick environment "${envs[@]}")" || exit 130
mapfile -t roots < <(corpus_tf_roots "$env")
root="$(pick root "(all, in dependency order)" "${roots[@]}")" || exit 130
action="$(pick action plan apply destroy)" || exit 130

extra=()
if [[ "$action" != plan ]]; then
  answer="$(pick "allow deleting or replacing stateful resources?" no yes)" || exit 130
  [[ "$answer" == yes ]] && extra+=(--allow-destroy)
fi

if [[ "$root" == "(all, in dependency order)" ]]; then
  cmd=("$here/deploy.sh" "$action" "$env" "${extra[@]}")
else
  cmd=("$here/tf.sh" "$action" "$env" "$root" "${extra[@]}")
fi
echo "+ ${cmd[*]}" >&2
exec "${cmd[@]}"
