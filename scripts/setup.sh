#!/usr/bin/env bash
# Bootstrap an account (idempotent: a second run changes nothing):
#   scripts/setup.sh [env]
#
# 1. shared/setup  the state bucket and lock table (local state, see terraform/README.md)
# 2. shared/ecr    the image repositories (and their SSM parameters)
# 3. <env>/base    when env is test or prod: the environment's KMS keys, the SSM parameters
#                  of its secrets (/corpus/<env>/api-key-sha256, /corpus/<env>/callback-secret
#                  as SecureString placeholders that are never overwritten once set), the
#                  alarm topic, the DNS zone and the log bucket.
#
# Honours AWS_ENDPOINT_URL (the emulator) like scripts/tf.sh.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib/tf-common.sh
source "$here/lib/tf-common.sh"

usage() {
  echo "usage: scripts/setup.sh [test|prod|local]" >&2
  exit 2
}

[[ $# -le 1 ]] || usage
env="${1:-}"
case "$env" in "" | test | prod | local) ;; *) usage ;; esac

"$here/tf.sh" apply shared setup
"$here/tf.sh" apply shared ecr
if [[ "$env" == test || "$env" == prod ]]; then
  "$here/tf.sh" apply "$env" base
fi

echo "setup.sh: done. Set the secrets of an environment once with:" >&2
echo "  aws ssm put-parameter --overwrite --type SecureString --name /corpus/<env>/api-key-sha256 --value <sha256-hex,...>" >&2
echo "  aws ssm put-parameter --overwrite --type SecureString --name /corpus/<env>/callback-secret --value <random>" >&2
