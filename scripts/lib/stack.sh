#!/usr/bin/env bash
# shellcheck shell=bash
# The local stack as behind the ALB: documents, the ingest API, an ingest worker and the
# reconciler on a one-minute loop, mounted under the same BASE_PATHs as in AWS
# (/api/documents, /api/ingest), so the web
# app (served in front of them by Vite with a same-origin proxy) uses the same URLs
# locally and deployed. Used by scripts/dev.sh and scripts/test-frontend.sh.
#
#   corpus_stack_start <log-dir> <documents-port> <ingest-port> <api-key>
#       Needs DATABASE_URL (a migrated database, as its admin user), psql and
#       scripts/lib/postgres.sh, the AWS emulator's variables and the ingest data plane's
#       (`eval "$(python3 scripts/lib/local_aws.py PREFIX)"`), and the binaries in CORPUS_BIN
#       (default target/debug). As in AWS the services log in as their own database roles
#       (corpus_documents, corpus_worker; local passwords set here). Starts the three processes on
#       127.0.0.1, waits until both APIs are ready, and records their pids in
#       CORPUS_STACK_PIDS. Logs go to <log-dir>/{documents,ingest,ingest-worker}.log.
#   corpus_web_start <log-dir> <web-port> <dev|preview>
#       Serves the web app (frontend/) on 127.0.0.1:<web-port>: `vite` (dev, hot reload)
#       or `vite preview` (the production build in frontend/dist). Needs node_modules.
#   corpus_stack_stop
#       Stops every process started above and everything they started (SIGTERM, then
#       waits).
#
# Sourcing the file has no side effect.

# shellcheck source=scripts/lib/proc.sh
source "$(dirname "${BASH_SOURCE[0]}")/proc.sh"

CORPUS_STACK_PIDS=()
export CORPUS_DOCUMENTS_BASE=/api/documents
export CORPUS_INGEST_BASE=/api/ingest

# corpus_wait_http <url> <pid> <log> <name>: until <url> answers 2xx, or fail when <pid> exits.
corpus_wait_http() {
  local url=$1 pid=$2 log=$3 name=$4 i
  for i in $(seq 1 300); do
    curl -fsS -o /dev/null "$url" 2>/dev/null && return 0
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "$name exited before it was ready; last log lines ($log):" >&2
      tail -n 20 "$log" >&2
      return 1
    fi
    sleep 0.2
  done
  echo "$name did not answer $url within 60 s (attempt $i); last log lines ($log):" >&2
  tail -n 20 "$log" >&2
  return 1
}

corpus_stack_start() {
  local logs=$1 documents_port=$2 ingest_port=$3 api_key=$4 bin digest
  bin=${CORPUS_BIN:-$(corpus_repo_root)/target/debug}
  digest=$(printf '%s' "$api_key" | sha256sum | cut -d' ' -f1)
  mkdir -p "$logs"
  export CALLBACK_SECRET=${CALLBACK_SECRET:-dev-callback-secret}
  # Local only: callbacks may go to http:// and loopback addresses.
  export CALLBACK_ALLOW_PRIVATE=${CALLBACK_ALLOW_PRIVATE:-true}

  # As in AWS, each service logs in as its own role (scripts/lib/postgres.sh).
  corpus_pg_service_logins "$DATABASE_URL" || return 1

  DATABASE_URL=$CORPUS_DOCUMENTS_DATABASE_URL PORT=$documents_port BIND_ADDRESS=127.0.0.1 BASE_PATH=$CORPUS_DOCUMENTS_BASE API_KEY_SHA256=$digest \
    LOG_FORMAT=${LOG_FORMAT:-json} "$bin/documents" serve >>"$logs/documents.log" 2>&1 &
  CORPUS_STACK_PIDS+=($!)
  corpus_wait_http "http://127.0.0.1:$documents_port$CORPUS_DOCUMENTS_BASE/readyz" "$!" "$logs/documents.log" documents || return 1

  PORT=$ingest_port BIND_ADDRESS=127.0.0.1 BASE_PATH=$CORPUS_INGEST_BASE API_KEY_SHA256=$digest \
    LOG_FORMAT=${LOG_FORMAT:-json} "$bin/ingest" serve >>"$logs/ingest.log" 2>&1 &
  CORPUS_STACK_PIDS+=($!)
  corpus_wait_http "http://127.0.0.1:$ingest_port$CORPUS_INGEST_BASE/readyz" "$!" "$logs/ingest.log" "ingest API" || return 1

  DATABASE_URL=$CORPUS_WORKER_DATABASE_URL LOG_FORMAT=${LOG_FORMAT:-json} "$bin/ingest" work >>"$logs/ingest-worker.log" 2>&1 &
  CORPUS_STACK_PIDS+=($!)

  # What EventBridge Scheduler does in AWS: the reconciler, once a minute.
  (while sleep "${CORPUS_RECONCILE_SECONDS:-60}"; do
    LOG_FORMAT=${LOG_FORMAT:-json} "$bin/ingest" reconcile >>"$logs/ingest-reconcile.log" 2>&1 || true
  done) &
  CORPUS_STACK_PIDS+=($!)
  export CORPUS_DOCUMENTS_URL="http://127.0.0.1:$documents_port"
  export CORPUS_INGEST_URL="http://127.0.0.1:$ingest_port"
}

corpus_web_start() {
  local logs=$1 port=$2 mode=$3 frontend
  frontend="$(corpus_repo_root)/frontend"
  case "$mode" in
    dev) (cd "$frontend" && exec npx --no-install vite --port "$port" --strictPort) >>"$logs/web.log" 2>&1 & ;;
    preview) (cd "$frontend" && exec npx --no-install vite preview --port "$port" --strictPort) >>"$logs/web.log" 2>&1 & ;;
    *)
      echo "corpus_web_start: mode must be dev or preview, not $mode" >&2
      return 2
      ;;
  esac
  CORPUS_STACK_PIDS+=($!)
  corpus_wait_http "http://127.0.0.1:$port/" "$!" "$logs/web.log" "web app" || return 1
  # The proxy reaches the services under their BASE_PATHs, as CloudFront does.
  corpus_wait_http "http://127.0.0.1:$port$CORPUS_DOCUMENTS_BASE/readyz" "$!" "$logs/web.log" "web app proxy" || return 1
}

corpus_stack_stop() {
  local pid pids=() i
  for pid in "${CORPUS_STACK_PIDS[@]}"; do
    mapfile -t -O "${#pids[@]}" pids < <(corpus_descendants "$pid")
    pids+=("$pid")
  done
  if [ ${#pids[@]} -gt 0 ]; then
    kill -TERM "${pids[@]}" 2>/dev/null || true
  fi
  for pid in "${CORPUS_STACK_PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  # The descendants are not this shell's children: wait for them to go (up to 5 s).
  for ((i = 0; i < 50; i++)); do
    corpus_any_alive "${pids[@]}" || break
    sleep 0.1
  done
  CORPUS_STACK_PIDS=()
}

# corpus_node_deps: checks Node (>= 20.19, what Vite needs) and installs frontend/'s
# packages with `npm ci` when node_modules is missing or older than package-lock.json.
corpus_node_deps() {
  local frontend version
  frontend="$(corpus_repo_root)/frontend"
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "node and npm are needed for the web app: install Node.js 20.19 or newer (https://nodejs.org)" >&2
    return 1
  fi
  version=$(node -p 'process.versions.node')
  if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)'; then
    echo "node $version is too old for the web app's tools: install Node.js 20.19 or newer" >&2
    return 1
  fi
  if [ ! -d "$frontend/node_modules" ] || [ "$frontend/package-lock.json" -nt "$frontend/node_modules/.package-lock.json" ]; then
    echo "installing the web app's packages (npm ci)" >&2
    (cd "$frontend" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error) >&2 || return 1
  fi
}
