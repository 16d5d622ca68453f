#!/usr/bin/env bash
# A bounded search measured before it is built (issue 11, item 1; docs/scaling.md): the
# prototype in bench/lib/tiers-index.sql and tiers-search.sql (tier tokens and two-word shingles under one GIN index,
# a sum-of-terms ranking, the threshold algorithm at the tiers' granularity), run in SQL
# against the corpus of bench/search-scale.sh at two sizes with the same query mix.
#
#   bench/search-tiers.sh [--sizes "100000 1000000"] [--agree N (default 40)]
#
# For each size: a fresh database, migrated and seeded by bench/lib/seed.sh, then
# bench/lib/tiers-index.sql and tiers-search.sql (builds the index: about 2 minutes per 100k passages on 2 cores), then
#   - each query of the mix (5 classes x 100, bench/lib/query_mix.py) once to warm the
#     cache and once timed, one at a time from psql: p50 and p99 per class and of the mix;
#   - agreement: for the first N queries of each class, the tiered top 10 against the
#     exhaustive ranking of the same scoring (every match scored), compared as sequences
#     of scores (the order among equal scores is arbitrary).
# Last, the ratio of the mix's p99 at the largest size over the smallest (goal < 2x), the
# agreement (goal >= 95%) and the index sizes. The services do not use any of this.
set -euo pipefail

sizes="100000 1000000"
agree=40
while [ $# -gt 0 ]; do
  case "$1" in
    --sizes) sizes=$2; shift 2 ;;
    --agree) agree=$2; shift 2 ;;
    *) echo "usage: $0 [--sizes \"N1 N2 ...\"] [--agree N]" >&2; exit 2 ;;
  esac
done

# shellcheck source=bench/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
# shellcheck source=bench/lib/seed.sh
source "$root/bench/lib/seed.sh"

state="$root/.local/bench-tiers-$$"
mkdir -p "$state"
# shellcheck disable=SC2317  # called from the EXIT trap
cleanup() {
  corpus_pg_stop "$state/pg"
  rm -rf "$state"
}
trap cleanup EXIT

echo "==> building (release)"
cargo build --release --quiet --bin documents
corpus_pg_start "$state/pg"
admin=$DATABASE_URL

for size in $sizes; do
  db="tiers_$size"
  psql "$admin" -qc "CREATE DATABASE $db"
  url="${admin%/*}/$db"
  DATABASE_URL=$url RUST_LOG=warn "$bin"/documents migrate
  bench_seed "$url" "$size"
  echo "==> $size passages: building the tiered index (bench/lib/tiers-index.sql and tiers-search.sql)"
  start=$(date +%s)
  psql "$url" -q -v ON_ERROR_STOP=1 -f "$root/bench/lib/tiers-index.sql"
  psql "$url" -q -v ON_ERROR_STOP=1 -f "$root/bench/lib/tiers-search.sql"
  echo "==> $size passages: the query mix, then agreement"
  python3 "$root/bench/lib/tiers_mix.py" "$url" "$agree" "$size" "$(($(date +%s) - start))" >> "$state/summary.txt"
  psql "$admin" -qc "DROP DATABASE $db"
done

python3 - "$state/summary.txt" <<'PY'
import sys
sizes, cur = {}, None
for line in open(sys.argv[1]):
    f = line.split()
    if f[0] == "size":
        cur = sizes[int(f[1])] = {"build": f[2], "class": {}, "agree": {}}
    elif f[0] == "class":
        cur["class"][f[1]] = (float(f[2]), float(f[3]))
    elif f[0] == "agree":
        cur["agree"][f[1]] = (int(f[2]), int(f[3]))
    elif f[0] == "index":
        cur["index"] = " ".join(f[1:])
print("\nresults (tiered search in SQL, one query at a time; p50 / p99 in ms)")
for n, s in sizes.items():
    eq = sum(a for a, _ in s["agree"].values()); tot = sum(b for _, b in s["agree"].values())
    print(f"  {n:>9,} passages (index built in {s['build']} s; GIN on tsv / on tt: {s['index']})")
    for c, (p50, p99) in s["class"].items():
        print(f"    {c:<10} p50 {p50:>8.1f}   p99 {p99:>8.1f}")
    detail = ", ".join(f"{c} {a}/{b}" for c, (a, b) in s["agree"].items())
    print(f"    top-10 agreement with the exhaustive ranking: {eq}/{tot} = {100 * eq / tot:.0f}%   ({detail})")
ns = sorted(sizes)
if len(ns) >= 2:
    lo, hi = sizes[ns[0]]["class"]["mix"][1], sizes[ns[-1]]["class"]["mix"][1]
    print(f"  p99 of the mix at {ns[-1]:,} / at {ns[0]:,}: {hi / lo:.2f}x   (goal < 2x)")
PY
