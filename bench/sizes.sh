#!/usr/bin/env bash
# Cost of one large input, against a small one of the same kind measured in the same run:
#
#   bench/sizes.sh [--big-mib N]
#
# 1. `POST /documents` of a --big-mib (default 32) MiB text, then of a 1 MiB text;
# 2. an NDJSON file of one --big-mib/2 (default 16) MiB line ingested by a job, then one of
#    a 512 KiB line.
# Prints, for each, the wall time, the time per MiB, and the process's peak RSS (VmHWM)
# after it; the "per-MiB ratio" (big over small) is about 1 when the cost is linear in
# the size (a quadratic splitter showed ~ N/small here), and the RSS says what one input
# costs in memory. Release builds.
set -euo pipefail

big_mib=32
while [ $# -gt 0 ]; do
  case "$1" in
    --big-mib) big_mib=$2; shift 2 ;;
    *) echo "usage: $0 [--big-mib N]" >&2; exit 2 ;;
  esac
done
line_mib=$((big_mib / 2))

# shellcheck source=bench/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
# shellcheck source=scripts/lib/venv.sh
source "$root/scripts/lib/venv.sh"
# shellcheck source=scripts/lib/moto.sh
source "$root/scripts/lib/moto.sh"

state="$root/.local/bench-sizes-$$"
mkdir -p "$state/moto"
pids=()
# shellcheck disable=SC2317  # called from the EXIT trap
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  corpus_moto_stop "$state/moto" 2>/dev/null || true
  corpus_pg_stop "$state/pg"
  rm -rf "$state"
}
trap cleanup EXIT

echo "==> building (release)"
cargo build --release --quiet --bin documents --bin ingest
corpus_venv
corpus_pg_start "$state/pg"
admin=$DATABASE_URL
psql "$admin" -qc "CREATE DATABASE bench"
export DATABASE_URL="${admin%/*}/bench"
RUST_LOG=warn "$bin"/documents migrate
corpus_moto_start "$state/moto"
eval "$(python3 scripts/lib/local_aws.py sizes)"

echo "==> generating inputs"
python3 - "$state" "$big_mib" "$line_mib" <<'PY'
import json, random, sys
out, big, line = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(11)
words = [''.join(rng.choice('abcdefghijklmnopqrstuvwxyz') for _ in range(rng.randint(2, 10))) for _ in range(5000)]
block = ' '.join(rng.choice(words) for _ in range(60000))  # ~400 KiB, no paragraph breaks
def text(size):
    reps, rest = divmod(size, len(block) + 2)
    return ('. '.join([block] * reps) + block[:rest])[:size]
for name, mib in (("big", big), ("small", 1)):
    with open(f"{out}/doc-{name}.json", "w") as f:
        json.dump({"title": f"{mib} MiB", "text": text(mib * 1024 * 1024)}, f)
for name, kib in (("big", line * 1024), ("small", 512)):
    with open(f"{out}/line-{name}.ndjson", "w") as f:
        f.write(json.dumps({"title": f"{kib} KiB line", "text": text(kib * 1024)}) + "\n")
PY

key=bench
key_sha=$(printf %s "$key" | sha256sum | cut -d' ' -f1)
docs_port=$(corpus_free_port)
PORT=$docs_port BIND_ADDRESS=127.0.0.1 API_KEY_SHA256=$key_sha RUST_LOG=warn \
  "$bin"/documents serve > "$state/documents.log" 2>&1 &
docs_pid=$!
pids+=("$docs_pid")
ingest_port=$(corpus_free_port)
common=(CALLBACK_SECRET=bench CALLBACK_ALLOW_PRIVATE=true INGEST_MAX_FILE_BYTES=$((256 * 1024 * 1024)) RUST_LOG=warn)
env "${common[@]}" PORT="$ingest_port" BIND_ADDRESS=127.0.0.1 API_KEY_SHA256="$key_sha" \
  "$bin"/ingest serve > "$state/serve.log" 2>&1 &
pids+=($!)
env "${common[@]}" WORKER_CONCURRENCY=1 WORKER_VISIBILITY_SECONDS=120 \
  "$bin"/ingest work > "$state/work.log" 2>&1 &
worker_pid=$!
pids+=("$worker_pid")
for port in "$docs_port" "$ingest_port"; do
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
done

hwm() { awk '/^VmHWM:/ {print int($2 / 1024)}' "/proc/$1/status"; }
now() { date +%s.%N; }

post_document() { # <file> -> seconds
  local start end
  start=$(now)
  curl -fsS -o /dev/null -X POST -H "authorization: Bearer $key" -H 'content-type: application/json' \
    --data-binary "@$1" "http://127.0.0.1:$docs_port/documents"
  end=$(now)
  echo "$end - $start" | bc -l
}

ingest_file() { # <file> <key> -> seconds
  local start end id status
  aws_put "$1" "$2"
  start=$(now)
  id=$(curl -fsS -X POST -H "authorization: Bearer $key" \
    "http://127.0.0.1:$ingest_port/jobs?bucket=${INGEST_ALLOWED_BUCKETS}&prefix=$2" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  while :; do
    status=$(curl -fsS "http://127.0.0.1:$ingest_port/jobs/$id" | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')
    case "$status" in queued | running) sleep 0.1 ;; completed) break ;; *) echo "job $status" >&2; exit 1 ;; esac
  done
  end=$(now)
  echo "$end - $start" | bc -l
}

aws_put() { python3 -c 'import boto3,sys; boto3.client("s3").upload_file(sys.argv[1], sys.argv[2], sys.argv[3])' "$1" "$INGEST_ALLOWED_BUCKETS" "$2"; }

report() { # <label> <mib> <seconds> <rss>
  printf '%-34s %8.1f MiB %8.2f s %8.3f s/MiB   peak RSS %5d MiB\n' "$1" "$2" "$3" "$(echo "$3 / $2" | bc -l)" "$4"
}

echo "==> POST /documents"
t_big=$(post_document "$state/doc-big.json"); rss_big=$(hwm "$docs_pid")
t_small=$(post_document "$state/doc-small.json")
report "documents: big text" "$big_mib" "$t_big" "$rss_big"
report "documents: small text" 1 "$t_small" "$(hwm "$docs_pid")"
printf 'documents: per-MiB ratio big/small  %.2f (1 = linear)\n' "$(echo "($t_big / $big_mib) / $t_small" | bc -l)"

echo "==> one NDJSON line through a job"
l_big=$(ingest_file "$state/line-big.ndjson" "line-big/l.ndjson"); wrss_big=$(hwm "$worker_pid")
l_small=$(ingest_file "$state/line-small.ndjson" "line-small/l.ndjson")
report "ingest: big NDJSON line" "$line_mib" "$l_big" "$wrss_big"
report "ingest: small NDJSON line" 0.5 "$l_small" "$(hwm "$worker_pid")"
printf 'ingest: per-MiB ratio big/small     %.2f (1 = linear; includes a job round trip)\n' "$(echo "($l_big / $line_mib) / ($l_small / 0.5)" | bc -l)"
