#!/usr/bin/env bash
# Load benchmark of the documents service against PostgreSQL itself as the ceiling.
#
#   bench/documents.sh [--duration SECONDS] [--connections N (default 8)] [--passages N]
#
# Builds the release binary, starts a throwaway PostgreSQL, seeds documents with at least
# --passages passages (default 100000) of generated English-like text, starts
# `documents serve`, and measures with wrk (Debian package, installed when missing):
#   - GET /documents/{id} for random ids: req/s, p50, p99, as deployed (the task's cache
#     of documents answers an id read before) and with the cache off (DOCUMENT_CACHE_MIB=0,
#     a second server: every read runs the SELECT)
#   - in the same run, pgbench running the service's own by-id SELECT (the statement
#     sea-orm sends, prepared: -M prepared) with the same concurrency: the ceiling
#   - GET /search?q=<two random words> at a concurrency of 2 and at --connections: req/s,
#     p50, p99 and how many were shed (503, SEARCH_CONCURRENCY); the clients retry a shed
#     search after its Retry-After, as the contract asks and the web app does
# and prints the ratios and the service's RSS when idle and its peak under load.
# Goals: GET by id >= 0.5x pgbench, search p99 under load < 1.5x p99 at 2 connections,
# RSS < 50 MiB under load.
set -euo pipefail

duration=20
connections=8
passages=100000
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --passages) passages=$2; shift 2 ;;
    *) echo "usage: $0 [--duration SECONDS] [--connections N] [--passages N]" >&2; exit 2 ;;
  esac
done

# shellcheck source=bench/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
# shellcheck source=bench/lib/seed.sh
source "$root/bench/lib/seed.sh"
# shellcheck source=bench/lib/wrk.sh
source "$root/bench/lib/wrk.sh"

bench_need_wrk
pgbench=$(corpus_pg_bin)/pgbench

state="$root/.local/bench-$$"
mkdir -p "$state"
server_pid=""
uncached_pid=""
# shellcheck disable=SC2317  # called from the EXIT trap
cleanup() {
  for pid in $server_pid $uncached_pid; do
    kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  done
  corpus_pg_stop "$state/pg"
  rm -rf "$state"
}
trap cleanup EXIT

echo "==> building (release)"
cargo build --release --quiet --bin documents
corpus_pg_start "$state/pg"
admin=$DATABASE_URL
psql "$admin" -qc "CREATE DATABASE bench"
export DATABASE_URL="${admin%/*}/bench"
RUST_LOG=warn "$bin"/documents migrate

docs=$((passages / 10))
bench_seed "$DATABASE_URL" "$passages"
psql "$DATABASE_URL" -tAc "SELECT translate(substr(md5(n::text), 1, 7), '0123456789', 'ghijklmnop') FROM generate_series(1, 300) n" > "$state/words.txt"
psql "$DATABASE_URL" -tAc "SELECT 'passages: ' || count(*) FROM passages"
psql "$DATABASE_URL" -tAc "SELECT id FROM documents ORDER BY random() LIMIT 2000" > "$state/ids.txt"
psql "$DATABASE_URL" -tAc "SELECT id FROM documents" > "$state/all_ids.txt"

serve() { # serve <port> <log> [VAR=value...]: documents serve in the background
  local p=$1 log=$2
  shift 2
  env PORT="$p" BIND_ADDRESS=127.0.0.1 RUST_LOG=warn DATABASE_MAX_CONNECTIONS="$connections" "$@" \
    "$bin"/documents serve > "$log" 2>&1 &
}
wait_ready() {
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$1/readyz" >/dev/null && return; sleep 0.1; done
}
port=$(corpus_pg_free_port)
serve "$port" "$state/server.log"
server_pid=$!
wait_ready "$port"
uncached_port=$(corpus_pg_free_port)
serve "$uncached_port" "$state/uncached.log" DOCUMENT_CACHE_MIB=0
uncached_pid=$!
wait_ready "$uncached_port"
rss_kib() { awk "/^$1:/ {print \$2}" "/proc/$server_pid/status"; }
idle_rss=$(rss_kib VmRSS)

# Before measuring, every document is read once through the server as deployed, so its
# cache holds the whole corpus (up to DOCUMENT_CACHE_MIB) and the peak RSS includes it.
cat > "$state/fill.lua" <<LUA
local ids = {}
for line in io.lines("$state/all_ids.txt") do ids[#ids + 1] = line end
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/documents/" .. ids[(i - 1) % #ids + 1])
end
response = function()
  if i >= #ids then wrk.thread:stop() end
end
LUA
cat > "$state/get.lua" <<LUA
local ids = {}
for line in io.lines("$state/ids.txt") do ids[#ids + 1] = line end
request = function()
  return wrk.format("GET", "/documents/" .. ids[math.random(#ids)])
end
LUA
# Search clients behave as the contract asks of them (and as the web app does): a shed
# search (503) is retried after its Retry-After, not at once. wrk calls delay() before a
# connection's next request; the search runs use one connection per wrk thread, so the
# backoff set by a response is that connection's own.
cat > "$state/search.lua" <<LUA
local words = {}
for line in io.lines("$state/words.txt") do words[#words + 1] = line end
local backoff_ms = 0
request = function()
  return wrk.format("GET", "/search?limit=10&q=" .. words[math.random(#words)] .. "%20" .. words[math.random(#words)])
end
response = function(status, headers)
  if status == 503 then
    backoff_ms = 1000 * (tonumber(headers["retry-after"] or headers["Retry-After"]) or 1)
  end
end
delay = function()
  local ms = backoff_ms
  backoff_ms = 0
  return ms
end
LUA

threads=2
echo "==> reading each of $(wc -l < "$state/all_ids.txt") documents once (fills the cache)"
wrk -t1 -c1 -d120s -s "$state/fill.lua" "http://127.0.0.1:$port" > "$state/fill.txt"
run_wrk() { # run_wrk <name> <script> [connections] [threads] [port]
  local c=${3:-$connections}
  local t=${4:-$((c < threads ? c : threads))}
  wrk -t"$t" -c"$c" -d"${duration}s" --latency -s "$2" "http://127.0.0.1:${5:-$port}" > "$state/$1.txt"
}
rps_of() { awk '/^Requests\/sec/ {print $2}' "$state/$1.txt"; }
pct_of() { awk -v p="$2" '$1 == p {print $2}' "$state/$1.txt"; }
errors_of() { awk '/Non-2xx|Socket errors/ {print}' "$state/$1.txt"; }
# shed_of <name>: the share of responses that were not 2xx (shed searches are 503s).
shed_of() { awk '/requests in/ {n = $1} /Non-2xx/ {e = $NF} END {printf "%.1f%% shed", n ? 100 * e / n : 0}' "$state/$1.txt"; }

# The ceiling: PostgreSQL running exactly the statement the service sends for a read by
# id (services/documents/src/reads.rs, GET_DOCUMENT_SQL), prepared once per connection,
# at the same concurrency. The id is computed from a random number as the seeding did
# (md5 of a short text: microseconds).
cat > "$state/by_id.sql" <<SQL
\\set n random(1, $docs)
SELECT id, source, checksum, title, content_type, byte_size, passage_count, job_id, created_at FROM documents WHERE id = md5('doc' || :n)::uuid;
SQL
run_pgbench() { # run_pgbench <name>: prints tps
  "$pgbench" -n -M prepared -f "$state/by_id.sql" -c "$connections" -j "$threads" -T "$duration" "$DATABASE_URL" > "$state/$1.txt" 2>&1
  awk '/^tps/ {print $3; exit}' "$state/$1.txt"
}

# GET (as deployed, then with the cache off) and its ceiling alternate twice (A B C A B C),
# so a change in the box's background load shows as two different ratios instead of one
# wrong one.
ratio() { python3 -c "print(f'{float($(rps_of "$1"))/float($2):.2f}')"; }
ratios=""
uncached_ratios=""
for round in 1 2; do
  echo "==> round $round: wrk GET /documents/{id} as deployed, then with the cache off, then pgbench on the same statement  (${duration}s each, $connections connections)"
  run_wrk "get$round" "$state/get.lua"
  run_wrk "uncached$round" "$state/get.lua" "$connections" "$threads" "$uncached_port"
  pg_tps=$(run_pgbench "pgbench$round")
  ratios="$ratios $(ratio "get$round" "$pg_tps")"
  uncached_ratios="$uncached_ratios $(ratio "uncached$round" "$pg_tps")"
done
cp "$state/get2.txt" "$state/get.txt"
cp "$state/uncached2.txt" "$state/uncached.txt"
echo "==> wrk GET /search  (${duration}s, 2 connections)"
run_wrk search2 "$state/search.lua" 2 2
echo "==> wrk GET /search  (${duration}s, $connections connections)"
run_wrk search "$state/search.lua" "$connections" "$connections"
peak_rss=$(rss_kib VmHWM)

get_rps=$(rps_of get); search_rps=$(rps_of search)
cat <<OUT

results ($connections connections, ${duration}s each, $(nproc) cores, $(psql "$DATABASE_URL" -tAc "SELECT count(*) FROM passages") passages)
  GET /documents/{id}   $get_rps req/s   p50 $(pct_of get 50%)   p99 $(pct_of get 99%)   $(errors_of get)   (round 2, as deployed)
  GET, cache off        $(rps_of uncached) req/s   p50 $(pct_of uncached 50%)   p99 $(pct_of uncached 99%)   $(errors_of uncached)   (round 2, DOCUMENT_CACHE_MIB=0)
  pgbench own SELECT    $pg_tps tps (prepared, the ceiling; round 2)
  ratio GET/pgbench     round 1, round 2:$ratios   (goal >= 0.5x; as deployed)
  ratio, cache off      round 1, round 2:$uncached_ratios   (every read runs the SELECT)
  GET /search, 2 conns  $(rps_of search2) req/s   p50 $(pct_of search2 50%)   p99 $(pct_of search2 99%)   $(errors_of search2)
  GET /search, $connections conns  $search_rps req/s   p50 $(pct_of search 50%)   p99 $(pct_of search 99%)   $(shed_of search)   $(errors_of search)
  search p99 $connections / 2 conns $(python3 -c "print(f'{$(bench_p99_ms "$state/search.txt")/$(bench_p99_ms "$state/search2.txt"):.2f}x')")   (goal < 1.5x; clients retry a 503 after its Retry-After)
  RSS idle              $((idle_rss / 1024)) MiB
  RSS peak under load   $((peak_rss / 1024)) MiB   (goal < 50 MiB)
OUT
