#!/usr/bin/env bash
# shellcheck shell=bash
# Helpers shared by scripts/tf.sh, deploy.sh, setup.sh, interactive.sh and
# test-terraform.sh. Sourcing the file has no side effect.

# shellcheck source=scripts/lib/venv.sh
source "$(dirname "${BASH_SOURCE[0]}")/venv.sh"

corpus_tf_envs() {
  printf '%s\n' shared test prod local
}

# Roots of an environment in dependency order (deploy.sh applies them in this order and
# destroys them in reverse).
corpus_tf_roots() {
  case "${1:-}" in
    shared) printf '%s\n' setup ecr pipeline ;;
    test | prod) printf '%s\n' base network data database cluster services frontend monitoring ;;
    local) printf '%s\n' data ;;
    *) return 1 ;;
  esac
}

# The same roots grouped in levels: a root depends only on roots of earlier levels, so
# the roots of one level may run at the same time (deploy.sh does; destroy runs the levels
# in reverse). One level per line.
corpus_tf_levels() {
  case "${1:-}" in
    shared) printf '%s\n' setup ecr pipeline ;;
    test | prod) printf '%s\n' base "network data" "database cluster" services "frontend monitoring" ;;
    local) printf '%s\n' data ;;
    *) return 1 ;;
  esac
}

corpus_tf_is_env() {
  local e
  for e in $(corpus_tf_envs); do
    [[ "$e" == "${1:-}" ]] && return 0
  done
  return 1
}

corpus_tf_is_root() {
  local r
  for r in $(corpus_tf_roots "${1:-}"); do
    [[ "$r" == "${2:-}" ]] && return 0
  done
  return 1
}

# Emulator mode: AWS_ENDPOINT_URL is set (scripts/lib/moto.sh exports it).
corpus_tf_emulator() {
  [[ -n "${AWS_ENDPOINT_URL:-}" ]]
}

# Directory for this mode's local working files (.terraform data dirs, plans, the setup
# root's local state): one per emulator endpoint, so emulator runs never touch the state of
# real accounts and two emulators never share state.
corpus_tf_work_dir() {
  local root mode
  root="$(corpus_repo_root)"
  if corpus_tf_emulator; then
    mode="emulator-$(printf '%s' "$AWS_ENDPOINT_URL" | tr -c 'a-zA-Z0-9' '_')"
  else
    mode="aws"
  fi
  printf '%s\n' "$root/.local/terraform/$mode"
}

# Use the local provider mirror when no usable CLI configuration is set: the mirror is
# $CORPUS_TF_PLUGIN_MIRROR (default /opt/tf-plugins) when it holds hashicorp/aws.
corpus_tf_cli_config() {
  local root mirror cfg
  if [[ -n "${TF_CLI_CONFIG_FILE:-}" && -f "$TF_CLI_CONFIG_FILE" ]]; then
    return 0
  fi
  mirror="${CORPUS_TF_PLUGIN_MIRROR:-/opt/tf-plugins}"
  if [[ ! -d "$mirror/registry.terraform.io/hashicorp/aws" ]]; then
    if [[ -n "${TF_CLI_CONFIG_FILE:-}" ]]; then
      unset TF_CLI_CONFIG_FILE
    fi
    return 0
  fi
  root="$(corpus_repo_root)"
  cfg="$root/.local/terraform/cli.tfrc"
  mkdir -p "$root/.local/terraform"
  cat >"$cfg.tmp.$$" <<CFG
# Written by scripts/lib/tf-common.sh: providers come from the local mirror.
provider_installation {
  filesystem_mirror {
    path    = "$mirror"
    include = ["registry.terraform.io/hashicorp/*"]
  }
  direct {
    exclude = ["registry.terraform.io/hashicorp/*"]
  }
}
CFG
  mv -f "$cfg.tmp.$$" "$cfg"
  export TF_CLI_CONFIG_FILE="$cfg"
}

# Read one value of terraform/config/<env>.yaml (dotted path) with the venv's PyYAML.
corpus_tf_config() {
  local env="$1" path="$2" root
  root="$(corpus_repo_root)"
  python - "$root/terraform/config/$env.yaml" "$path" <<'PY'
import sys, yaml
with open(sys.argv[1]) as f:
    value = yaml.safe_load(f)
for part in sys.argv[2].split("."):
    value = value[part]
print("" if value is None else value)
PY
}
