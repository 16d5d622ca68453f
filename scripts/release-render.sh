#!/usr/bin/env bash
# Renders the deployment files of a release (the Build stage's last step, and the release
# rehearsal of scripts/test-terraform.sh against the emulator):
#
#   scripts/release-render.sh [out-dir]     (default: deploy)
#
# For every environment in DEPLOY_ENVIRONMENTS ("test prod") it reads, from that
# environment's account (DEPLOY_ROLE_<ENV>: a role to assume, or "none"), the deployment
# parameter Terraform wrote for each service and worker (SSM /corpus/<env>/deploy/<name>)
# and the latest revision of its task definition, and writes:
#   <out>/<env>/<service>/taskdef.json    that revision with the release's image
#   <out>/<env>/<service>/appspec.yaml    appspec.yaml with container, port, subnets,
#                                         security groups and the hook filled in
#   <out>/<env>/<worker>/taskdef.json     likewise for queue workers, with their command
# Environment: SERVICES ("documents ingest"), WORKERS ("ingest-worker=ingest":
# worker=image), IMAGE_REPO_<IMAGE> (repository URL per image), TAG (default: the first 12
# characters of CODEBUILD_RESOLVED_SOURCE_VERSION), the AWS SDK's own variables.
set -euo pipefail

if [ $# -gt 1 ] || [[ "${1:-}" == -* ]]; then
  echo "usage: $0 [out-dir]   (environment: see the header of this script)" >&2
  exit 2
fi
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
python=python3
if ! python3 -c 'import boto3, yaml' 2>/dev/null; then
  # shellcheck source=scripts/lib/venv.sh
  source "$root/scripts/lib/venv.sh"
  corpus_venv
  python="$root/.venv/bin/python"
fi
exec "$python" "$root/scripts/lib/release_render.py" "$root/appspec.yaml" "${1:-deploy}"
