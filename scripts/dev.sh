#!/usr/bin/env bash
# Runs the whole stack locally: one command on a fresh machine.
#
#   ./scripts/dev.sh
#
# Installs what it needs into git-ignored project directories (.venv for the Python tools
# such as the AWS emulator, frontend/node_modules for the web app, .local/dev for data),
# starts a throwaway PostgreSQL (as the unprivileged user `corpuspg` when run as root),
# builds and migrates, seeds the sample corpus in samples/ on first run, starts the
# services on 127.0.0.1 under the same BASE_PATHs as behind the ALB, serves the web app in
# front of them (one origin: http://127.0.0.1:8080, /api/* proxied as CloudFront does),
# prints the URLs, and stops everything it started on Ctrl-C. Running it again reuses the
# data.
#
# Environment: WEB_PORT (default 8080), DOCUMENTS_PORT (default 8081), INGEST_PORT
# (default 8082), CORPUS_DEV_API_KEY (default dev-key).
set -euo pipefail

if [ $# -ne 0 ]; then
  echo "usage: $0   (no arguments; see the header of this script)" >&2
  exit 2
fi

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
# shellcheck source=scripts/lib/postgres.sh
source "$root/scripts/lib/postgres.sh"
# shellcheck source=scripts/lib/venv.sh
source "$root/scripts/lib/venv.sh"
# shellcheck source=scripts/lib/moto.sh
source "$root/scripts/lib/moto.sh"
# shellcheck source=scripts/lib/stack.sh
source "$root/scripts/lib/stack.sh"

state="$root/.local/dev"
mkdir -p "$state/logs"
web_port=${WEB_PORT:-8080}
documents_port=${DOCUMENTS_PORT:-8081}
ingest_port=${INGEST_PORT:-8082}
api_key=${CORPUS_DEV_API_KEY:-dev-key}

# shellcheck disable=SC2317  # called from the EXIT trap
cleanup() {
  trap - EXIT
  trap "" INT TERM  # a second Ctrl-C must not cut the clean-up short
  echo
  echo "stopping..."
  corpus_stack_stop
  corpus_moto_stop "$state/moto" 2>/dev/null || true
  corpus_pg_stop "$state/pg"
  echo "stopped"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_in_use() {
  python3 -c 'import socket,sys; s=socket.socket(); sys.exit(0 if s.connect_ex(("127.0.0.1", int(sys.argv[1])))==0 else 1)' "$1"
}

if ! command -v cargo >/dev/null 2>&1; then
  echo "cargo not found: install Rust with rustup (https://rustup.rs), then run $0 again" >&2
  exit 1
fi
for port in "$web_port" "$documents_port" "$ingest_port"; do
  if port_in_use "$port"; then
    echo "port $port is in use (another ./scripts/dev.sh?): stop it or set WEB_PORT/DOCUMENTS_PORT/INGEST_PORT" >&2
    exit 1
  fi
done

echo "==> Python tools (.venv)"
corpus_venv

echo "==> web app packages (frontend/node_modules)"
corpus_node_deps

echo "==> PostgreSQL"
corpus_pg_start "$state/pg"
admin_url=$DATABASE_URL
if ! psql "$admin_url" -tAc "SELECT 1 FROM pg_database WHERE datname = 'corpus'" | grep -q 1; then
  psql "$admin_url" -qc "CREATE DATABASE corpus"
fi
export DATABASE_URL="${admin_url%/*}/corpus"

echo "==> AWS emulator (moto server) with the ingest data plane"
mkdir -p "$state/moto"
corpus_moto_start "$state/moto"
eval "$(CORPUS_WEB_ORIGINS="http://127.0.0.1:$web_port,http://localhost:$web_port" python3 "$root/scripts/lib/local_aws.py" corpus-local)"

echo "==> building (cargo build)"
cargo build --quiet --bin documents --bin ingest
bin="$root/target/debug"

echo "==> migrating"
LOG_FORMAT=pretty "$bin/documents" migrate

echo "==> starting documents ($documents_port), the ingest API ($ingest_port) and a worker"
CORPUS_BIN=$bin corpus_stack_start "$state/logs" "$documents_port" "$ingest_port" "$api_key"

echo "==> serving the web app on 127.0.0.1:$web_port"
corpus_web_start "$state/logs" "$web_port" dev

web="http://127.0.0.1:$web_port"
count=$(psql "$DATABASE_URL" -tAc "SELECT count(*) FROM documents")
if [ "$count" = 0 ]; then
  echo "==> seeding the sample corpus (samples/)"
  for file in "$root"/samples/*; do
    title=$(head -n 1 "$file" | sed 's/^# //')
    python3 -c 'import json,sys; print(json.dumps({"title": sys.argv[1], "text": open(sys.argv[2], encoding="utf-8").read(), "source": "sample:" + sys.argv[2].rsplit("/",1)[-1]}))' "$title" "$file" |
      curl -fsS -o /dev/null -X POST "$web/api/documents/documents" \
        -H "authorization: Bearer $api_key" -H 'content-type: application/json' --data-binary @- \
      || echo "seeding $file failed" >&2
  done
fi

cat <<MSG

corpus is running (Ctrl-C stops everything):
  web app         $web
  documents API   $web/api/documents/documents      (Swagger UI: $web/api/documents/docs)
  ingest API      $web/api/ingest/jobs              (Swagger UI: $web/api/ingest/docs)
  try a search    curl '$web/api/documents/search?q=whale'
  API key         $api_key   (enter it in the web app's Settings; curl -H 'authorization: Bearer $api_key' ...)
  PostgreSQL      $DATABASE_URL
  AWS emulator    $AWS_ENDPOINT_URL   (landing bucket $INGEST_BUCKET, data bucket $INGEST_ALLOWED_BUCKETS)
  drop a file     .venv/bin/python -c "import boto3; boto3.client('s3', endpoint_url='$AWS_ENDPOINT_URL').put_object(Bucket='$INGEST_BUCKET', Key='incoming/hello.txt', Body=b'hello lanterns')"
  logs            $state/logs/

MSG
wait -n "${CORPUS_STACK_PIDS[@]}" || true
echo "a service exited; see $state/logs/" >&2
exit 1
