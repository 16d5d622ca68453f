#!/usr/bin/env bash
# The Terraform test suite (scripts/test.sh runs it; it is self-contained):
#   scripts/test-terraform.sh
#
# Static: terraform fmt, init + validate of every module and root, test/prod roots
# identical but for env.tf, checkov with zero failed checks, shellcheck of the scripts,
# module docs and docs/diagrams up to date (and a drifted diagram caught), usage errors of
# the scripts.
# Against its own AWS emulator (moto on a free port, stopped on exit): setup.sh, deploy.sh
# apply of shared, test and local, then plans that must report no changes, the destroy
# guard of tf.sh refusing to replace a table and a bucket, and setup.sh leaving secrets
# alone. Prints "terraform: N passed, M failed" last; exits 1 when anything failed.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib/tf-common.sh
source "$here/lib/tf-common.sh"
# shellcheck source=scripts/lib/moto.sh
source "$here/lib/moto.sh"
# shellcheck source=scripts/lib/proc.sh
source "$here/lib/proc.sh"
repo="$(corpus_repo_root)"

if [[ $# -ne 0 ]]; then
  echo "usage: scripts/test-terraform.sh" >&2
  exit 2
fi

state="$repo/.local/test-terraform"
rm -rf "$state"
mkdir -p "$state/logs"
suite_start=$(date +%s)
passed=0
failed=0
failures=()
n=0

cleanup() {
  local pid pids=() i
  for pid in $(jobs -p); do
    # Every process a job of this script started (terraform runs under tf.sh under deploy.sh).
    mapfile -t -O "${#pids[@]}" pids < <(corpus_descendants "$pid")
    pids+=("$pid")
  done
  if [[ ${#pids[@]} -gt 0 ]]; then
    kill "${pids[@]}" 2>/dev/null || true
    # terraform finishes in-flight calls on the first signal; give it a moment, then stop it.
    for ((i = 0; i < 50; i++)); do
      corpus_any_alive "${pids[@]}" || break
      sleep 0.1
    done
    kill -9 "${pids[@]}" 2>/dev/null || true
  fi
  wait 2>/dev/null || true
  corpus_moto_stop "$state/moto" 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

record() { # record <name> <rc> <log> <seconds>
  if [[ "$2" -eq 0 ]]; then
    passed=$((passed + 1))
    printf 'ok   %-62s %4ss\n' "$1" "$4"
  else
    failed=$((failed + 1))
    failures+=("$1")
    printf 'FAIL %-62s %4ss (exit %s; log %s)\n' "$1" "$4" "$2" "$3"
    tail -n 40 "$3" | sed 's/^/     | /'
  fi
}

# check <name> <command...>: runs the command, its output goes to a log file.
check() {
  local name="$1" log rc=0 start
  shift
  n=$((n + 1))
  log="$state/logs/$(printf '%02d' "$n")-$(printf '%s' "$name" | tr -c 'a-zA-Z0-9' '-' | cut -c1-50).log"
  start=$(date +%s)
  # In the background, so that a TERM/INT reaches the traps at once.
  "$@" >"$log" 2>&1 &
  wait "$!" || rc=$?
  record "$name" "$rc" "$log" "$(($(date +%s) - start))"
}

# Background checks: bg_start <name> <command...>; bg_wait collects them in start order.
bg_names=()
bg_pids=()
bg_logs=()
bg_starts=()
bg_start() {
  local name="$1" log
  shift
  n=$((n + 1))
  log="$state/logs/$(printf '%02d' "$n")-$(printf '%s' "$name" | tr -c 'a-zA-Z0-9' '-' | cut -c1-50).log"
  "$@" >"$log" 2>&1 &
  bg_names+=("$name")
  bg_pids+=("$!")
  bg_logs+=("$log")
  bg_starts+=("$(date +%s)")
}
bg_wait() {
  local i rc
  for i in "${!bg_pids[@]}"; do
    rc=0
    wait "${bg_pids[$i]}" || rc=$?
    record "${bg_names[$i]}" "$rc" "${bg_logs[$i]}" "$(($(date +%s) - bg_starts[i]))"
  done
  bg_names=() bg_pids=() bg_logs=() bg_starts=()
}

expect_exit() { # expect_exit <code> <pattern> <command...>: exit code and output pattern
  local want="$1" pattern="$2" rc=0 out
  shift 2
  out="$("$@" 2>&1)" || rc=$?
  printf '%s\n' "$out"
  if [[ "$rc" -ne "$want" ]]; then
    echo "expected exit $want, got $rc"
    return 1
  fi
  if ! grep -qE -- "$pattern" <<<"$out"; then
    echo "expected output matching: $pattern"
    return 1
  fi
}

echo "terraform: preparing tools"
corpus_venv
corpus_tf_cli_config
unset AWS_ENDPOINT_URL

# ---------------------------------------------------------------------------------------
# Static checks
# ---------------------------------------------------------------------------------------
check "terraform fmt -check -recursive terraform" terraform fmt -check -recursive -diff "$repo/terraform"

validate_dir() { # validate_dir <dir>
  local dir="$1" data
  data="$state/validate/$(printf '%s' "${dir#"$repo"/terraform/}" | tr '/' '-')"
  TF_DATA_DIR="$data" terraform -chdir="$dir" init -backend=false -input=false -no-color &&
    TF_DATA_DIR="$data" terraform -chdir="$dir" validate -no-color
}
validate_all() {
  local dir rc=0 failed_dirs=()
  for dir in "$repo"/terraform/modules/*/ "$repo"/terraform/live/*/*/; do
    dir="${dir%/}"
    if validate_dir "$dir" >"$state/validate.log.tmp" 2>&1; then
      echo "valid: ${dir#"$repo"/}"
    else
      cat "$state/validate.log.tmp"
      failed_dirs+=("${dir#"$repo"/}")
      rc=1
    fi
  done
  [[ $rc -eq 0 ]] || echo "invalid: ${failed_dirs[*]}"
  return "$rc"
}
check "init -backend=false + validate: every module and root" validate_all

parity() {
  local r rc=0
  for r in $(corpus_tf_roots test); do
    diff -r -x env.tf -x .terraform.lock.hcl -x .terraform -x "*.tfstate" -x "*.tfstate.backup" "$repo/terraform/live/test/$r" "$repo/terraform/live/prod/$r" || rc=1
  done
  return "$rc"
}
check "test and prod roots identical but for env.tf" parity

check "checkov: zero failed checks over terraform/" \
  checkov -d "$repo/terraform" --framework terraform --quiet --compact --skip-download

shellcheck_all() {
  if ! command -v shellcheck >/dev/null 2>&1; then
    if [[ "$(id -u)" -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
      apt-get install -y -qq shellcheck >/dev/null 2>&1 ||
        { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq shellcheck >/dev/null 2>&1; } || true
    fi
  fi
  if ! command -v shellcheck >/dev/null 2>&1; then
    echo "WARNING: shellcheck is not installed and cannot be installed here: skipped"
    return 0
  fi
  shellcheck -x "$repo"/scripts/*.sh "$repo"/scripts/lib/*.sh
}
check "shellcheck scripts/*.sh scripts/lib/*.sh" shellcheck_all
check "doc.sh --check: module READMEs and docs/diagrams up to date" "$here/doc.sh" --check

# The diagrams follow the code: in a copy of scripts/, terraform/ and docs/diagrams (sharing
# the project venv), flipping prod's read replica must make doc.sh --check fail naming
# infrastructure-prod.svg and only it; adding a module call to a test root must name
# infrastructure-test.svg.
diagram_drift() {
  local copy="$state/diagram-drift" out rc=0
  rm -rf "$copy"
  mkdir -p "$copy/docs"
  tar -C "$repo" --exclude=.terraform --exclude='*.tfstate*' -cf - scripts terraform docs/diagrams | tar -C "$copy" -xf -
  ln -s "$repo/.venv" "$copy/.venv"
  expect_exit 0 "docs/diagrams are up to date" "$copy/scripts/doc.sh" --check || return 1
  sed -i -e 's/^  read_replica: true$/  read_replica: FLIP/' -e 's/^  read_replica: false$/  read_replica: true/' \
    -e 's/^  read_replica: FLIP$/  read_replica: false/' "$copy/terraform/config/prod.yaml"
  if cmp -s "$repo/terraform/config/prod.yaml" "$copy/terraform/config/prod.yaml"; then
    echo "prod.yaml has no read_replica setting to flip"
    return 1
  fi
  out="$(expect_exit 1 "docs/diagrams/infrastructure-prod.svg is out of date" "$copy/scripts/doc.sh" --check)" || rc=1
  printf '%s\n' "$out"
  if grep -q "infrastructure-test.svg\|delivery.svg" <<<"$out"; then
    echo "a diagram the change does not touch was reported"
    rc=1
  fi
  cp "$repo/terraform/config/prod.yaml" "$copy/terraform/config/prod.yaml"
  printf '\nmodule "extra_queue" {\n  source = "../../../modules/sqs-queue"\n  name   = "extra"\n}\n' >>"$copy/terraform/live/test/data/main.tf"
  out="$(expect_exit 1 "docs/diagrams/infrastructure-test.svg is out of date" "$copy/scripts/doc.sh" --check)" || rc=1
  printf '%s\n' "$out"
  rm -rf "$copy"
  return "$rc"
}
check "doc.sh --check fails when a diagram drifts from config or Terraform" diagram_drift

# Modules with their own offline tests (tests/*.tftest.hcl, mocked provider).
module_tests() {
  local dir rc=0
  for dir in "$repo"/terraform/modules/*/; do
    dir="${dir%/}"
    compgen -G "$dir/tests/*.tftest.hcl" >/dev/null || continue
    echo "== terraform test ${dir#"$repo"/}"
    TF_DATA_DIR="$state/validate/modules-$(basename "$dir")" terraform -chdir="$dir" test -no-color || rc=1
  done
  return "$rc"
}

# The deploy hook's package: a zip holding one executable `bootstrap` (the Rust hook),
# which tf.sh creates the function with (built here for the host: the emulator never runs it).
hook_package() {
  local zip="$state/hook/deploy-hook.zip"
  expect_exit 2 "usage: .*build-deploy-hook.sh" "$here/build-deploy-hook.sh" not-a-zip &&
    "$here/build-deploy-hook.sh" --host "$zip" &&
    python3 - "$zip" <<'PY'
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
names = [i.filename for i in z.infolist()]
mode = z.infolist()[0].external_attr >> 16
head = z.read("bootstrap")[:4]
print("package holds", names, "mode", oct(mode))
sys.exit(0 if names == ["bootstrap"] and mode & 0o111 and head == b"\x7fELF" else 1)
PY
}
check "deploy hook package: one executable bootstrap (build-deploy-hook.sh)" hook_package

usage_errors() {
  expect_exit 2 "usage: scripts/tf.sh <plan\|apply\|destroy> <env> \[--allow-destroy\].*every root" "$here/tf.sh" &&
    expect_exit 2 "<env> <resource> .*one root" "$here/tf.sh" plan &&
    expect_exit 2 "unknown env nowhere" "$here/tf.sh" plan nowhere &&
    expect_exit 2 "unknown action" "$here/tf.sh" show test --detailed-exitcode &&
    expect_exit 2 "usage: scripts/tf.sh" "$here/tf.sh" apply nowhere data &&
    expect_exit 2 "test: base network data" "$here/tf.sh" plan test nosuchroot &&
    expect_exit 2 "usage: scripts/tf.sh" "$here/tf.sh" apply test services --force &&
    expect_exit 2 "usage: scripts/deploy.sh" "$here/deploy.sh" apply &&
    expect_exit 2 "usage: scripts/setup.sh" "$here/setup.sh" staging &&
    expect_exit 2 "usage: scripts/doc.sh" "$here/doc.sh" --check nosuchmodule
}
check "scripts print usage and exit 2 on bad arguments" usage_errors

# ---------------------------------------------------------------------------------------
# Against the emulator
# ---------------------------------------------------------------------------------------
# The modules' offline tests run alongside the emulator phase (which mostly waits).
n=$((n + 1))
mt_log="$state/logs/$(printf '%02d' "$n")-module-tests.log"
mt_start=$(date +%s)
module_tests >"$mt_log" 2>&1 &
mt_pid=$!

corpus_moto_start "$state/moto"
# Working files of this emulator run (setup's local state, plans) start empty.
rm -rf "$(corpus_tf_work_dir)"

check "setup.sh test: state backend, ECR, test base (secrets)" "$here/setup.sh" test
# After the bootstrap the three environments only read each other's state: apply them at once.
bg_start "deploy.sh apply shared" "$here/deploy.sh" apply shared
bg_start "deploy.sh apply test" "$here/deploy.sh" apply test
bg_start "deploy.sh apply local" "$here/deploy.sh" apply local
bg_wait

bg_start "deploy.sh plan shared: no changes (-detailed-exitcode)" "$here/deploy.sh" plan shared --detailed-exitcode
bg_start "deploy.sh plan test: no changes (-detailed-exitcode)" "$here/deploy.sh" plan test --detailed-exitcode
# The environment form of tf.sh (every root of local, in dependency order).
bg_start "tf.sh plan local (every root): no changes (-detailed-exitcode)" "$here/tf.sh" plan local --detailed-exitcode
bg_wait

# Least privilege on the network: the applied database's security group admits on 5432
# exactly the task groups of the services with a database login (documents, the worker),
# not the ingest API's, which has none, nor the reconciler's, whose schedule runs it in a
# group of its own.
tf_output() { # tf_output <root of test> <output>
  TF_DATA_DIR="$(corpus_tf_work_dir)/test-$1/data" terraform -chdir="$repo/terraform/live/test/$1" output -json "$2"
}
database_clients() {
  python3 "$here/lib/database_clients.py" "$(tf_output database security_group_id)" \
    "$(tf_output services database_client_security_groups)" \
    "$(tf_output services blue_green_services)" "$(tf_output services reconcile)"
}
check "database admits only the task groups with a login (documents, worker; not the ingest API, not the reconciler)" database_clients

# The release rehearsal: the Build stage's render step (scripts/release-render.sh, as the
# buildspec calls it) runs against the applied test environment; every rendered task
# definition must register with the ECS API and every appspec carry the services root's
# container, port, networks and hook (scripts/lib/rehearse_release.py). Then each
# blue/green service gets what a CodeDeploy deployment of that rendered revision does
# (task set in the other target group, both rules rewritten to a weighted forward, desired
# count changed; terraform/modules/ecs-service/tests/simulate_codedeploy.py), and the
# services root must still plan clean: Terraform and CodeDeploy do not fight.
release_rehearsal() {
  local svc outputs registered
  outputs="$(tf_output services blue_green_services)" || return 1
  rm -rf "$state/release"
  DEPLOY_ENVIRONMENTS=test SERVICES="documents ingest" WORKERS="ingest-worker=ingest" \
    DEPLOY_ROLE_TEST=none TAG=rehearsal \
    IMAGE_REPO_DOCUMENTS=123456789012.dkr.ecr.us-east-1.amazonaws.com/corpus/documents \
    IMAGE_REPO_INGEST=123456789012.dkr.ecr.us-east-1.amazonaws.com/corpus/ingest \
    "$here/release-render.sh" "$state/release" || return 1
  registered="$(python3 "$here/lib/rehearse_release.py" "$state/release" test <<<"$outputs" | tee /dev/stderr | tail -n 1)" || return 1
  for svc in documents ingest; do
    echo "== simulated CodeDeploy deployment of $svc with the rendered revision"
    python3 -c 'import json, sys; print(json.dumps(json.load(sys.stdin)[sys.argv[1]]))' "$svc" <<<"$outputs" |
      python3 "$repo/terraform/modules/ecs-service/tests/simulate_codedeploy.py" \
        "$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$registered" "$svc")" || return 1
  done
  "$here/tf.sh" plan test services --detailed-exitcode
}
check "release rehearsal: render, register, appspecs, blue/green swap of the rendered revision, plan test/services clean" release_rehearsal

# The pipeline publishes each release's hook over the one Terraform created: the function
# must then run exactly the published code (a changed zip: the package with a comment).
publish_hook() {
  local zip="$state/hook/release.zip"
  python3 - "$state/hook/deploy-hook.zip" "$zip" <<'PY'
import shutil, sys, zipfile
shutil.copy(sys.argv[1], sys.argv[2])
with zipfile.ZipFile(sys.argv[2], "a") as z:
    z.comment = b"release rehearsal"
PY
  expect_exit 2 "usage: .*publish-deploy-hook.sh" "$here/publish-deploy-hook.sh" staging "$zip" &&
    expect_exit 0 "now runs" "$here/publish-deploy-hook.sh" test "$zip"
}
check "publish-deploy-hook.sh test: the hook function runs the published build" publish_hook

# The destroy guard: a plan that replaces the jobs table and the landing bucket (tainted
# here, as a changed name would) is refused, naming both, and nothing is applied.
guard_refuses() {
  local data rc=0
  export TF_DATA_DIR
  TF_DATA_DIR="$(corpus_tf_work_dir)/local-data/data"
  data="$repo/terraform/live/local/data"
  terraform -chdir="$data" taint module.table.aws_dynamodb_table.this
  terraform -chdir="$data" taint module.landing.aws_s3_bucket.this
  expect_exit 3 "REFUSED" "$here/tf.sh" apply local data | tee "$state/guard.out" || rc=1
  grep -q "replace module.table.aws_dynamodb_table.this" "$state/guard.out" || { echo "table not named"; rc=1; }
  grep -q "replace module.landing.aws_s3_bucket.this" "$state/guard.out" || { echo "bucket not named"; rc=1; }
  terraform -chdir="$data" untaint module.table.aws_dynamodb_table.this
  terraform -chdir="$data" untaint module.landing.aws_s3_bucket.this
  unset TF_DATA_DIR
  return "$rc"
}
check "tf.sh apply refuses to replace a table and a bucket, naming them" guard_refuses
check "tf.sh plan local after the refused apply: no changes" "$here/tf.sh" plan local data --detailed-exitcode

# setup.sh is idempotent and never overwrites a secret an operator has set.
secrets_kept() {
  local out
  python3 - <<'PY'
import boto3
boto3.client("ssm").put_parameter(Name="/corpus/test/callback-secret", Value="set-by-operator", Type="SecureString", Overwrite=True)
PY
  out="$("$here/setup.sh" test 2>&1)" || { printf '%s\n' "$out"; return 1; }
  printf '%s\n' "$out"
  if grep -E "Resources: [1-9][0-9]* added|[1-9][0-9]* changed|[1-9][0-9]* destroyed" <<<"$out"; then
    echo "setup.sh changed something on its second run"
    return 1
  fi
  python3 - <<'PY'
import boto3, sys
v = boto3.client("ssm").get_parameter(Name="/corpus/test/callback-secret", WithDecryption=True)["Parameter"]["Value"]
print("callback-secret:", "kept" if v == "set-by-operator" else "OVERWRITTEN")
sys.exit(0 if v == "set-by-operator" else 1)
PY
}
check "setup.sh again: no changes, operator-set secret kept" secrets_kept

mt_rc=0
wait "$mt_pid" || mt_rc=$?
record "terraform test: modules' own tftest suites (mocked provider)" "$mt_rc" "$mt_log" "$(($(date +%s) - mt_start))"

echo "terraform: suite took $(($(date +%s) - suite_start))s"
if [[ $failed -gt 0 ]]; then
  printf 'terraform: failed: %s\n' "${failures[@]}"
fi
echo "terraform: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
