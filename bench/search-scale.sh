#!/usr/bin/env bash
# Search cost against corpus size (issue 11, item 1): the same query mix at two corpus sizes.
#
#   bench/search-scale.sh [--duration SECONDS (default 15)] [--sizes "100000 1000000"]
#
# For each size (passages): a fresh database, migrated and seeded by bench/lib/seed.sh (the
# same generator as bench/documents.sh, seeded, so a size always gives the same corpus),
# then the release `documents serve` (nothing shed: SEARCH_CONCURRENCY above the load) and:
#   - wrk at 2 connections with the whole query mix, then each class alone: p50 and p99;
#   - agreement: for 40 queries of each class, the service's top 10 against the exhaustive
#     ranking of the same scores: the same search with a filter every document passes
#     (`created_from=2000-01-01`), which the service answers by scoring every match
#     (services/documents/src/query.rs). Equal means the same passages in the same order
#     with the same ranks (ties are ordered by document and passage, so exactly).
# Last, the ratio of the mix's p99 at the largest size over the smallest (goal < 2x) and
# the agreement (goal >= 95%).
#
# Query classes (words of the seeded vocabulary; word(1) is the most common):
#   common     one word of the 100 most common           e.g.  kgeifhp
#   rare       one word ranked 1500-5000                 e.g.  ogmkpjh
#   pair       two words of the 300 most common (AND)    e.g.  kgeifhp lmjhgkn
#   phrase     two of the 30 most common, quoted         e.g.  "kgeifhp lmjhgkn"
#   exclusion  a common word without another             e.g.  kgeifhp -lmjhgkn
# The 1M-passage seed takes about 6 minutes on 2 cores.
set -euo pipefail

duration=15
sizes="100000 1000000"
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration=$2; shift 2 ;;
    --sizes) sizes=$2; shift 2 ;;
    *) echo "usage: $0 [--duration SECONDS] [--sizes \"N1 N2 ...\"]" >&2; exit 2 ;;
  esac
done

# shellcheck source=bench/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
# shellcheck source=bench/lib/seed.sh
source "$root/bench/lib/seed.sh"
# shellcheck source=bench/lib/wrk.sh
source "$root/bench/lib/wrk.sh"

bench_need_wrk

state="$root/.local/bench-scale-$$"
mkdir -p "$state"
server_pid=""
stop_server() {
  if [ -n "$server_pid" ]; then
    kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
    server_pid=""
  fi
  return 0
}
# shellcheck disable=SC2317  # called from the EXIT trap
cleanup() {
  stop_server
  corpus_pg_stop "$state/pg"
  rm -rf "$state"
}
trap cleanup EXIT

echo "==> building (release)"
cargo build --release --quiet --bin documents
corpus_pg_start "$state/pg"
admin=$DATABASE_URL

# The query mix: 100 queries per class, the same in every run (a seeded generator).
python3 - "$state" "$root/bench/lib" <<'PY'
import sys, urllib.parse
state = sys.argv[1]
sys.path.insert(0, sys.argv[2])
from query_mix import queries
with open(f"{state}/mix.txt", "w") as mix:
    for name, qs in queries().items():
        with open(f"{state}/{name}.txt", "w") as f:
            for q in qs:
                f.write(urllib.parse.quote(q) + "\n")
                mix.write(urllib.parse.quote(q) + "\n")
        with open(f"{state}/{name}.raw", "w") as f:
            f.write("\n".join(qs[:40]) + "\n")
PY
classes="common rare pair phrase exclusion"
for c in mix $classes; do
  cat > "$state/$c.lua" <<LUA
local qs = {}
for line in io.lines("$state/$c.txt") do qs[#qs + 1] = line end
request = function()
  return wrk.format("GET", "/search?limit=10&q=" .. qs[math.random(#qs)])
end
LUA
done

p50_of() { awk '$1 == "50%" {print $2}' "$1"; }

summary="$state/summary.txt"
: > "$summary"
for size in $sizes; do
  db="scale_$size"
  psql "$admin" -qc "CREATE DATABASE $db"
  url="${admin%/*}/$db"
  DATABASE_URL=$url RUST_LOG=warn "$bin"/documents migrate
  bench_seed "$url" "$size"
  port=$(corpus_pg_free_port)
  DATABASE_URL=$url PORT=$port BIND_ADDRESS=127.0.0.1 RUST_LOG=warn DATABASE_MAX_CONNECTIONS=4 \
    SEARCH_CONCURRENCY=64 "$bin"/documents serve > "$state/server-$size.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done

  echo "==> $size passages: warming the cache (every query once)"
  while read -r q; do curl -fs -o /dev/null "http://127.0.0.1:$port/search?limit=10&q=$q"; done < "$state/mix.txt"

  for c in mix $classes; do
    d=$duration
    [ "$c" = mix ] || d=$(( (duration + 1) / 2 ))
    echo "==> $size passages: wrk, 2 connections, ${d}s, $c"
    wrk -t2 -c2 -d"${d}s" --timeout 60s --latency -s "$state/$c.lua" "http://127.0.0.1:$port" > "$state/$c-$size.txt"
  done

  echo "==> $size passages: agreement with the exhaustive ranking"
  # shellcheck disable=SC2086  # one argument per class
  agreement=$(python3 - "$state" "$port" $classes <<'PY'
import json, sys, urllib.parse, urllib.request
state, port, classes = sys.argv[1], sys.argv[2], sys.argv[3:]
out = []
total_eq = total = 0
for c in classes:
    queries = [q for q in open(f"{state}/{c}.raw").read().splitlines() if q]
    eq = 0
    for q in queries:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/search?limit=10&q={urllib.parse.quote(q)}") as r:
            served = [(h["document_id"], h["seq"], h["rank"]) for h in json.load(r)["hits"]]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/search?limit=10&created_from=2000-01-01T00:00:00Z&q={urllib.parse.quote(q)}") as r:
            exhaustive = [(h["document_id"], h["seq"], h["rank"]) for h in json.load(r)["hits"]]
        same = served == exhaustive
        eq += same
    out.append(f"{c} {eq}/{len(queries)}")
    total_eq += eq
    total += len(queries)
print(f"{total_eq} {total} " + ", ".join(out))
PY
)
  stop_server
  {
    echo "size $size"
    for c in mix $classes; do
      echo "p99 $c $(bench_p99_ms "$state/$c-$size.txt") $(p50_of "$state/$c-$size.txt") $(awk '/^Requests\/sec/ {print $2}' "$state/$c-$size.txt")"
    done
    echo "agreement $agreement"
  } >> "$summary"
  psql "$admin" -qc "DROP DATABASE $db"
done

python3 - "$summary" <<'PY'
import sys
sizes, cur = {}, None
for line in open(sys.argv[1]):
    f = line.split()
    if f[0] == "size":
        cur = int(f[1]); sizes[cur] = {"p99": {}}
    elif f[0] == "p99":
        sizes[cur]["p99"][f[1]] = (float(f[2]), f[3], f[4])
    elif f[0] == "agreement":
        sizes[cur]["agree"] = (int(f[1]), int(f[2]), " ".join(f[3:]))
print("\nresults (2 connections, query mix of 5 classes x 100 queries; p99 ms / p50 / req/s)")
for n, s in sizes.items():
    print(f"  {n:>9,} passages")
    for c, (p99, p50, rps) in s["p99"].items():
        print(f"    {c:<10} p99 {p99:>10.1f} ms   p50 {p50:>9}   {rps:>8} req/s")
    e, t, detail = s["agree"]
    print(f"    top-10 agreement with the exhaustive ranking: {e}/{t} = {100 * e / t:.0f}%   ({detail})")
ns = sorted(sizes)
if len(ns) >= 2:
    lo, hi = sizes[ns[0]]["p99"]["mix"][0], sizes[ns[-1]]["p99"]["mix"][0]
    print(f"  p99 of the mix at {ns[-1]:,} / at {ns[0]:,}: {hi / lo:.2f}x   (goal < 2x)")
PY
