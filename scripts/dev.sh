#!/usr/bin/env bash
# Runs the whole stack locally: one command on a fresh machine.
#
#   ./scripts/dev.sh
#
# Installs what it needs into git-ignored project directories (.venv for the Python tools
# such as the AWS emulator, .local/dev for data), starts a throwaway PostgreSQL (as the
# unprivileged user `corpuspg` when run as root), builds and migrates, seeds the sample
# corpus in samples/ on first run, starts the services on 127.0.0.1, prints their URLs,
# and stops everything it started on Ctrl-C. Running it again reuses the data.
#
# Environment: DOCUMENTS_PORT (default 8081), INGEST_PORT (default 8082),
# CORPUS_DEV_API_KEY (default dev-key).
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

state="$root/.local/dev"
mkdir -p "$state/logs"
documents_port=${DOCUMENTS_PORT:-8081}
ingest_port=${INGEST_PORT:-8082}
api_key=${CORPUS_DEV_API_KEY:-dev-key}

pids=()
# shellcheck disable=SC2317  # called from the EXIT trap
cleanup() {
  local pid
  trap - EXIT
  trap "" INT TERM  # a second Ctrl-C must not cut the clean-up short
  echo
  echo "stopping..."
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
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
for port in "$documents_port" "$ingest_port"; do
  if port_in_use "$port"; then
    echo "port $port is in use (another ./scripts/dev.sh?): stop it or set DOCUMENTS_PORT/INGEST_PORT" >&2
    exit 1
  fi
done

echo "==> Python tools (.venv)"
corpus_venv

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
eval "$(python3 "$root/scripts/lib/local_aws.py" corpus-local)"

echo "==> building (cargo build)"
cargo build --quiet --bin documents --bin ingest
bin="$root/target/debug"

echo "==> migrating"
LOG_FORMAT=pretty "$bin/documents" migrate

echo "==> starting documents on 127.0.0.1:$documents_port"
digest=$(printf '%s' "$api_key" | sha256sum | cut -d' ' -f1)
PORT=$documents_port BIND_ADDRESS=127.0.0.1 API_KEY_SHA256=$digest LOG_FORMAT=${LOG_FORMAT:-json} \
  "$bin/documents" serve >>"$state/logs/documents.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$documents_port/readyz" >/dev/null 2>&1 && break
  if ! kill -0 "${pids[0]}" 2>/dev/null; then
    echo "documents exited; last log lines:" >&2
    tail -n 20 "$state/logs/documents.log" >&2
    exit 1
  fi
  sleep 0.2
done

echo "==> starting ingest API on 127.0.0.1:$ingest_port and a worker"
export CALLBACK_SECRET=dev-callback-secret CALLBACK_ALLOW_PRIVATE=true
PORT=$ingest_port BIND_ADDRESS=127.0.0.1 API_KEY_SHA256=$digest LOG_FORMAT=${LOG_FORMAT:-json} \
  "$bin/ingest" serve >>"$state/logs/ingest.log" 2>&1 &
pids+=($!)
LOG_FORMAT=${LOG_FORMAT:-json} "$bin/ingest" work >>"$state/logs/ingest-worker.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$ingest_port/readyz" >/dev/null 2>&1 && break
  sleep 0.2
done

count=$(psql "$DATABASE_URL" -tAc "SELECT count(*) FROM documents")
if [ "$count" = 0 ]; then
  echo "==> seeding the sample corpus (samples/)"
  for file in "$root"/samples/*; do
    title=$(head -n 1 "$file" | sed 's/^# //')
    python3 -c 'import json,sys; print(json.dumps({"title": sys.argv[1], "text": open(sys.argv[2], encoding="utf-8").read(), "source": "sample:" + sys.argv[2].rsplit("/",1)[-1]}))' "$title" "$file" |
      curl -fsS -o /dev/null -X POST "http://127.0.0.1:$documents_port/documents" \
        -H "authorization: Bearer $api_key" -H 'content-type: application/json' --data-binary @- \
      || echo "seeding $file failed" >&2
  done
fi

cat <<MSG

corpus is running (Ctrl-C stops everything):
  documents API   http://127.0.0.1:$documents_port/documents
  Swagger UI      http://127.0.0.1:$documents_port/docs   and   http://127.0.0.1:$ingest_port/docs
  ingest API      http://127.0.0.1:$ingest_port/jobs
  try a search    curl 'http://127.0.0.1:$documents_port/search?q=whale'
  API key         $api_key   (curl -H 'authorization: Bearer $api_key' ...)
  PostgreSQL      $DATABASE_URL
  AWS emulator    $AWS_ENDPOINT_URL   (landing bucket $INGEST_BUCKET, data bucket $INGEST_ALLOWED_BUCKETS)
  drop a file     .venv/bin/python -c "import boto3; boto3.client('s3', endpoint_url='$AWS_ENDPOINT_URL').put_object(Bucket='$INGEST_BUCKET', Key='incoming/hello.txt', Body=b'hello lanterns')"
  logs            $state/logs/

MSG
wait -n "${pids[@]}" || true
echo "a service exited; see $state/logs/" >&2
exit 1
