#!/usr/bin/env bash
# shellcheck shell=bash
# Python virtual environment of the project's tools.
#
# Source this file, then call `corpus_venv`: it creates or updates <repo>/.venv from
# scripts/requirements.txt and puts .venv/bin first on PATH. It re-installs only when the
# requirements file changed since the last successful install (a sha256 stamp is kept in
# .venv/.requirements.sha256). Sourcing the file has no side effect.
#
# Honours CORPUS_PYTHON (the interpreter used to create the venv; default python3).
#
# `corpus_tool_venv <name>` does the same for a tool whose dependencies clash with the main
# set (schemathesis needs a newer `packaging` than checkov allows): <repo>/.venv-<name>
# from scripts/requirements-<name>.txt, not put on PATH; it prints the venv's directory.

corpus_repo_root() {
  local here
  here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
  (cd "$here/../.." && pwd)
}

corpus_venv() {
  local root venv
  root="$(corpus_repo_root)"
  venv="$root/.venv"
  corpus_venv_sync "$venv" "$root/scripts/requirements.txt" || return 1
  case ":$PATH:" in
    *":$venv/bin:"*) ;;
    *) export PATH="$venv/bin:$PATH" ;;
  esac
  export VIRTUAL_ENV="$venv"
}

corpus_tool_venv() {
  local root
  root="$(corpus_repo_root)"
  corpus_venv_sync "$root/.venv-$1" "$root/scripts/requirements-$1.txt" || return 1
  printf '%s\n' "$root/.venv-$1"
}

# corpus_venv_sync <venv-dir> <requirements-file>: create or update the venv (quietly).
corpus_venv_sync() {
  local venv="$1" req="$2" stamp want have python
  stamp="$venv/.requirements.sha256"
  python="${CORPUS_PYTHON:-python3}"

  if [[ ! -f "$req" ]]; then
    echo "corpus_venv: $req is missing" >&2
    return 1
  fi
  want="$(sha256sum "$req" | cut -d' ' -f1)"
  have=""
  if [[ -f "$stamp" ]]; then
    have="$(cat "$stamp")"
  fi

  if [[ ! -x "$venv/bin/python" ]]; then
    echo "corpus_venv: creating $venv" >&2
    "$python" -m venv "$venv" || return 1
    have=""
  fi
  if [[ "$want" != "$have" ]]; then
    echo "corpus_venv: installing ${req#"$(corpus_repo_root)"/} into ${venv#"$(corpus_repo_root)"/}" >&2
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
      --upgrade pip >&2 || return 1
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
      -r "$req" >&2 || return 1
    printf '%s\n' "$want" >"$stamp"
  fi
}
