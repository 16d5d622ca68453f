#!/usr/bin/env bash
# Publishes a build of the deploy hook (scripts/build-deploy-hook.sh) to an environment's
# hook function and waits until the new code is active:
#
#   scripts/publish-deploy-hook.sh <env> <zip>
#
# The pipeline's Deploy-<env> stage runs it before the blue/green deployments, so the hook
# that judges a release is the one built from that release. The function's name is read
# from the services' deployment parameter (SSM /corpus/<env>/deploy/<service>, key
# `hook_function`, written by terraform/live/<env>/services). Uses the AWS SDK's usual
# credentials and endpoint variables (AWS_ENDPOINT_URL for the emulator).
set -euo pipefail

if [ $# -ne 2 ] || [ ! -f "$2" ]; then
  echo "usage: $0 <env> <zip>   (the zip must exist)" >&2
  exit 2
fi
env=$1 zip=$2
case "$env" in test | prod | local) ;; *)
  echo "usage: $0 <env> <zip>   (env: test, prod or local; got $env)" >&2
  exit 2
  ;;
esac

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/lib/venv.sh
source "$root/scripts/lib/venv.sh"
python=python3
if ! python3 -c 'import boto3' 2>/dev/null; then
  corpus_venv
  python="$root/.venv/bin/python"
fi

"$python" - "$env" "$zip" <<'PY'
import hashlib, base64, json, sys, time
import boto3

env, zip_path = sys.argv[1], sys.argv[2]
ssm = boto3.client("ssm")
names = set()
for page in ssm.get_paginator("get_parameters_by_path").paginate(Path=f"/corpus/{env}/deploy/"):
    for p in page["Parameters"]:
        try:
            hook = json.loads(p["Value"]).get("hook_function")
        except ValueError:
            continue
        if hook:
            names.add(hook)
if not names:
    sys.exit(f"publish-deploy-hook: no hook_function in /corpus/{env}/deploy/*: is terraform/live/{env}/services applied?")
code = open(zip_path, "rb").read()
want = base64.b64encode(hashlib.sha256(code).digest()).decode()
lam = boto3.client("lambda")
for name in sorted(names):
    lam.update_function_code(FunctionName=name, ZipFile=code, Publish=True)
    for _ in range(120):
        conf = lam.get_function_configuration(FunctionName=name)
        if conf.get("LastUpdateStatus", "Successful") != "InProgress":
            break
        time.sleep(2)
    if conf.get("LastUpdateStatus", "Successful") != "Successful":
        sys.exit(f"publish-deploy-hook: {name}: update {conf.get('LastUpdateStatus')}: {conf.get('LastUpdateStatusReason')}")
    if conf["CodeSha256"] != want:
        sys.exit(f"publish-deploy-hook: {name} runs code {conf['CodeSha256']}, not the published {want}")
    print(f"publish-deploy-hook: {name} now runs {want}")
PY
