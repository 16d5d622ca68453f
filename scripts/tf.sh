#!/usr/bin/env bash
# Run Terraform for a whole environment or one of its roots:
#
#   scripts/tf.sh <plan|apply|destroy> <env> [options]              every root of <env>, in
#                                                                    dependency order (as
#                                                                    scripts/deploy.sh)
#   scripts/tf.sh <plan|apply|destroy> <env> <resource> [options]   one root
#
#   plan     init, then terraform plan
#   apply    init, save a plan, refuse it when it deletes or replaces a stateful or
#            traffic-critical resource (unless --allow-destroy), then apply that saved plan
#   destroy  init, save a destroy plan, same guard (so destroying data needs
#            --allow-destroy), then apply it
#
# Options: --allow-destroy        let the plan delete/replace guarded resources
#          --detailed-exitcode    (plan) exit 2 when the plan has changes, 0 when none
#
# Honours AWS_ENDPOINT_URL (emulator mode: the provider and the backend talk to it, and
# the roots get TF_VAR_emulator=true) and uses the local provider mirror when no CLI
# configuration is set (see scripts/lib/tf-common.sh).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib/tf-common.sh
source "$here/lib/tf-common.sh"
repo="$(corpus_repo_root)"

usage() {
  local e
  {
    echo "usage: scripts/tf.sh <plan|apply|destroy> <env> [--allow-destroy] [--detailed-exitcode]   (every root, in dependency order)"
    echo "       scripts/tf.sh <plan|apply|destroy> <env> <resource> [--allow-destroy] [--detailed-exitcode]   (one root)"
    for e in $(corpus_tf_envs); do
      echo "  $e: $(corpus_tf_roots "$e" | tr '\n' ' ')"
    done
  } >&2
  exit 2
}

[[ $# -ge 2 ]] || usage
# The environment form: no resource (the third word, if any, is an option).
if [[ $# -eq 2 || "$3" == --* ]]; then
  case "$1" in plan | apply | destroy) ;; *) echo "tf.sh: unknown action $1" >&2; usage ;; esac
  corpus_tf_is_env "$2" || { echo "tf.sh: unknown env $2" >&2; usage; }
  exec "$here/deploy.sh" "$@"
fi
action="$1" env="$2" resource="$3"
shift 3
allow_destroy=false
detailed=false
for arg in "$@"; do
  case "$arg" in
    --allow-destroy) allow_destroy=true ;;
    --detailed-exitcode) detailed=true ;;
    *) echo "tf.sh: unknown option $arg" >&2; usage ;;
  esac
done
case "$action" in plan | apply | destroy) ;; *) echo "tf.sh: unknown action $action" >&2; usage ;; esac
corpus_tf_is_env "$env" || { echo "tf.sh: unknown env $env" >&2; usage; }
corpus_tf_is_root "$env" "$resource" || { echo "tf.sh: unknown resource $resource for $env" >&2; usage; }

dir="$repo/terraform/live/$env/$resource"
[[ -d "$dir" ]] || { echo "tf.sh: $dir does not exist" >&2; exit 1; }

corpus_venv
corpus_tf_cli_config

work="$(corpus_tf_work_dir)"
mkdir -p "$work/$env-$resource"
export TF_DATA_DIR="$work/$env-$resource/data"
export TF_IN_AUTOMATION=1
export TF_INPUT=0
parallelism="${CORPUS_TF_PARALLELISM:-20}"

if corpus_tf_emulator; then
  export TF_VAR_emulator=true
  export TF_VAR_aws_endpoint_url="$AWS_ENDPOINT_URL"
else
  export TF_VAR_emulator=false
  export TF_VAR_aws_endpoint_url=""
fi

# The services root creates the deploy hook function from a build of services/deploy-hook
# (the pipeline publishes each release's build over it afterwards).
if [[ "$resource" == services && -z "${TF_VAR_deploy_hook_package:-}" ]]; then
  export TF_VAR_deploy_hook_package="$work/deploy-hook/deploy-hook.zip"
  if [[ ! -f "$TF_VAR_deploy_hook_package" ]]; then
    if rustup target list --installed 2>/dev/null | grep -qx x86_64-unknown-linux-musl; then
      "$here/build-deploy-hook.sh" "$TF_VAR_deploy_hook_package" >&2
    elif corpus_tf_emulator; then
      "$here/build-deploy-hook.sh" --host "$TF_VAR_deploy_hook_package" >&2
    else
      echo "tf.sh: the deploy hook must be built for Lambda (rustup target add x86_64-unknown-linux-musl), or set TF_VAR_deploy_hook_package to a zip from scripts/build-deploy-hook.sh" >&2
      exit 1
    fi
  fi
fi

# Backend: the setup root keeps a local state (it creates the backend everyone else uses);
# every other root keeps its state in the shared state bucket under <env>/<resource>/,
# locked in the shared lock table.
backend="$work/$env-$resource/backend.hcl"
if [[ "$env/$resource" == "shared/setup" ]]; then
  if corpus_tf_emulator; then
    echo "path = \"$work/shared-setup/terraform.tfstate\"" >"$backend"
  else
    echo "path = \"$dir/terraform.tfstate\"" >"$backend"
  fi
else
  state_bucket="$(corpus_tf_config shared state.bucket)"
  lock_table="$(corpus_tf_config shared state.lock_table)"
  state_region="$(corpus_tf_config shared state.region)"
  {
    echo "bucket         = \"$state_bucket\""
    echo "key            = \"$env/$resource/terraform.tfstate\""
    echo "region         = \"$state_region\""
    echo "dynamodb_table = \"$lock_table\""
    echo "encrypt        = true"
    if corpus_tf_emulator; then
      echo "endpoints = {"
      echo "  s3       = \"$AWS_ENDPOINT_URL\""
      echo "  dynamodb = \"$AWS_ENDPOINT_URL\""
      echo "  sts      = \"$AWS_ENDPOINT_URL\""
      echo "  iam      = \"$AWS_ENDPOINT_URL\""
      echo "}"
      echo "use_path_style              = true"
      echo "skip_credentials_validation = true"
      echo "skip_requesting_account_id  = true"
      echo "skip_metadata_api_check     = true"
      echo "skip_region_validation      = true"
    fi
  } >"$backend"
fi

log() { echo "tf.sh [$env/$resource]: $*" >&2; }

log "init"
terraform -chdir="$dir" init -input=false -reconfigure -backend-config="$backend" >"$work/$env-$resource/init.log" 2>&1 || {
  cat "$work/$env-$resource/init.log" >&2
  exit 1
}

# Resource types whose deletion loses data or cuts traffic.
guarded_types="aws_db_instance aws_rds_cluster aws_rds_cluster_instance aws_dynamodb_table aws_s3_bucket aws_sqs_queue aws_lb aws_lb_listener aws_lb_listener_rule aws_kms_key aws_ecr_repository aws_ssm_parameter aws_cloudfront_distribution aws_route53_zone aws_ecs_service aws_codedeploy_deployment_group"

guard() {
  local plan="$1"
  terraform -chdir="$dir" show -json "$plan" >"$plan.json"
  python3 - "$plan.json" "$guarded_types" <<'PY'
import json, sys
plan = json.load(open(sys.argv[1]))
guarded = set(sys.argv[2].split())
bad = []
for rc in plan.get("resource_changes", []):
    actions = rc.get("change", {}).get("actions", [])
    if rc.get("mode") == "managed" and rc.get("type") in guarded and "delete" in actions:
        what = "replace" if "create" in actions else "delete"
        bad.append(f"  {what} {rc['address']}")
for line in bad:
    print(line)
PY
}

run_saved_plan() {
  local plan="$work/$env-$resource/tfplan" blocked
  local -a extra=()
  [[ "$action" == "destroy" ]] && extra=(-destroy)
  log "plan${extra[*]:+ ${extra[*]}}"
  terraform -chdir="$dir" plan -input=false -lock-timeout=5m -parallelism="$parallelism" \
    "${extra[@]}" -out="$plan"
  blocked="$(guard "$plan")"
  if [[ -n "$blocked" ]]; then
    if [[ "$allow_destroy" == true ]]; then
      log "--allow-destroy given; the plan will:"
      echo "$blocked" >&2
    else
      log "REFUSED: the plan would delete or replace stateful or traffic-critical resources:"
      echo "$blocked" >&2
      log "re-run with --allow-destroy if that is intended"
      rm -f "$plan" "$plan.json"
      exit 3
    fi
  fi
  log "apply saved plan"
  terraform -chdir="$dir" apply -input=false -lock-timeout=5m -parallelism="$parallelism" "$plan"
  rm -f "$plan" "$plan.json"
}

case "$action" in
  plan)
    set +e
    terraform -chdir="$dir" plan -input=false -lock-timeout=5m -parallelism="$parallelism" -detailed-exitcode
    rc=$?
    set -e
    case "$rc" in
      0) log "no changes" ;;
      2) log "changes pending"; [[ "$detailed" == true ]] || rc=0 ;;
      *) log "plan failed" ;;
    esac
    exit "$rc"
    ;;
  apply | destroy) run_saved_plan ;;
esac
