#!/usr/bin/env bash
# The API contract test: schemathesis generates requests from each service's own committed
# OpenAPI document (openapi/<service>.json) and checks every answer against it: the status
# is documented for the operation, the body matches the documented schema and content
# type, documented headers are present, no 5xx, a request the schema allows is accepted
# (2xx or a documented 4xx), a request it forbids is refused, an unsupported method is a
# 405 with `Allow`, and writes need the API key.
#
#   scripts/test-contract.sh [documents|ingest]...   (default: both)
#
# Uses the PostgreSQL and AWS emulator that scripts/test.sh exported (DATABASE_URL,
# AWS_ENDPOINT_URL) or starts its own; builds and starts the services on free ports, seeds a
# few documents, and stops everything it started on exit. Which statuses count as accepting
# a valid request: scripts/contract/schemathesis.toml. Environment:
# CONTRACT_MAX_EXAMPLES (default 60) examples per operation and phase, CONTRACT_SEED (a
# fixed default, so a run is repeatable; set another to explore).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
services=("$@")
[ ${#services[@]} -gt 0 ] || services=(documents ingest)
for s in "${services[@]}"; do
  case "$s" in documents | ingest) ;; *)
    echo "usage: $0 [documents|ingest]...   (unknown service: $s)" >&2
    exit 2
    ;;
  esac
done

# shellcheck source=scripts/lib/postgres.sh
source "$root/scripts/lib/postgres.sh"
# shellcheck source=scripts/lib/venv.sh
source "$root/scripts/lib/venv.sh"
# shellcheck source=scripts/lib/moto.sh
source "$root/scripts/lib/moto.sh"

state="$root/.local/contract-$$"
mkdir -p "$state/logs"
own_pg="" own_moto=""
pids=()
# shellcheck disable=SC2317  # called from the EXIT trap
cleanup() {
  local code=$? pid
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  [ -z "$own_moto" ] || corpus_moto_stop "$state/moto" 2>/dev/null || true
  [ -z "$own_pg" ] || corpus_pg_stop "$state/pg"
  if [ "$code" -eq 0 ]; then rm -rf "$state"; else echo "contract: logs kept in $state/logs" >&2; fi
  exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

corpus_venv
tools=$(corpus_tool_venv contract)
if [ -z "${DATABASE_URL:-}" ]; then
  CORPUS_PG_FSYNC=off corpus_pg_start "$state/pg"
  own_pg=1
fi
if [ -z "${AWS_ENDPOINT_URL:-}" ]; then
  mkdir -p "$state/moto"
  corpus_moto_start "$state/moto"
  own_moto=1
fi

echo "==> building the services"
cargo build --quiet --locked --bin documents --bin ingest
bin="${CARGO_TARGET_DIR:-$root/target}/debug"

db="contract_$$_$RANDOM"
psql "$DATABASE_URL" -qc "CREATE DATABASE $db"
db_url="${DATABASE_URL%/*}/$db"
api_key="contract-key-$RANDOM$RANDOM"
digest=$(printf '%s' "$api_key" | sha256sum | cut -d' ' -f1)
DATABASE_URL=$db_url LOG_FORMAT=json "$bin/documents" migrate >"$state/logs/migrate.log" 2>&1
eval "$(python3 "$root/scripts/lib/local_aws.py" "contract-$$-$RANDOM")"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

start() { # start <name> <port> <command...>: runs in the background, waits for /readyz
  local name=$1 port=$2 i
  shift 2
  PORT=$port BIND_ADDRESS=127.0.0.1 API_KEY_SHA256=$digest LOG_FORMAT=json RUST_LOG=warn \
    "$@" >"$state/logs/$name.log" 2>&1 &
  pids+=($!)
  for i in $(seq 1 150); do
    curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && return 0
    kill -0 "${pids[-1]}" 2>/dev/null || break
    sleep 0.2
  done
  echo "contract: $name did not become ready (attempt $i); last log lines:" >&2
  tail -n 20 "$state/logs/$name.log" >&2
  return 1
}

documents_port=$(free_port)
ingest_port=$(free_port)
# Each service as its own database role, as in AWS (the ingest API does not use its URL).
corpus_pg_service_logins "$db_url"
start documents "$documents_port" env DATABASE_URL="$CORPUS_DOCUMENTS_DATABASE_URL" "$bin/documents" serve
start ingest "$ingest_port" env DATABASE_URL="$CORPUS_WORKER_DATABASE_URL" CALLBACK_SECRET=contract-secret "$bin/ingest" serve

echo "==> seeding documents"
for i in 1 2 3; do
  curl -fsS -o /dev/null -X POST "http://127.0.0.1:$documents_port/documents" \
    -H "authorization: Bearer $api_key" -H 'content-type: application/json' \
    --data-binary "{\"title\": \"Seed $i\", \"text\": \"Whales sing long songs, seed $i.\\n\\nLanterns glow.\"}"
done

passed=0 failed=0
for service in "${services[@]}"; do
  port_var="${service}_port"
  echo "==> schemathesis: openapi/$service.json against 127.0.0.1:${!port_var}"
  # The committed document is the contract (what the web app's client is generated from),
  # not whatever the running binary serves. All checks, every phase but stateful.
  if "$tools/bin/schemathesis" --no-color --config-file "$root/scripts/contract/schemathesis.toml" \
    run "$root/openapi/$service.json" \
    --url "http://127.0.0.1:${!port_var}" \
    --checks all \
    --phases examples,coverage,fuzzing \
    --max-examples "${CONTRACT_MAX_EXAMPLES:-60}" \
    --workers 1 \
    --header "Authorization: Bearer $api_key" \
    --seed "${CONTRACT_SEED:-20261124}" \
    --generation-database none \
    --suppress-health-check all; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "contract: $service violates its documented contract (see above)" >&2
  fi
done
echo "contract: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
