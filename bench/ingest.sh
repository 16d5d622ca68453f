#!/usr/bin/env bash
# Ingestion throughput benchmark through the local AWS emulator, with PostgreSQL's own
# COPY as the ceiling.
#
#   bench/ingest.sh [--total-mib N] [--big-mib N] [--concurrency N]
#
# Generates --total-mib (default 200) of English-like text in files of mixed sizes, one of
# them --big-mib (default 100) large, plus NDJSON files; puts them in a data bucket of the
# emulator; runs `ingest serve` and `ingest work` (release builds); times one job over
# the prefix from POST /jobs to its final status; then, in the same run, times
# `psql \copy` loading the very same passages into an equivalent table (same columns,
# generated tsvector and GIN index, and the search terms with their trigger and GIN
# index). Prints MiB/s, documents/s, the worker's peak RSS and
# the ratio to the COPY rate. Goals: >= 0.5x the COPY rate, worker peak RSS < 200 MiB.
set -euo pipefail

total_mib=200
big_mib=100
concurrency=4
while [ $# -gt 0 ]; do
  case "$1" in
    --total-mib) total_mib=$2; shift 2 ;;
    --big-mib) big_mib=$2; shift 2 ;;
    --concurrency) concurrency=$2; shift 2 ;;
    *) echo "usage: $0 [--total-mib N] [--big-mib N] [--concurrency N]" >&2; exit 2 ;;
  esac
done

# shellcheck source=bench/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
# shellcheck source=scripts/lib/venv.sh
source "$root/scripts/lib/venv.sh"
# shellcheck source=scripts/lib/moto.sh
source "$root/scripts/lib/moto.sh"

state="$root/.local/bench-ingest-$$"
mkdir -p "$state/files" "$state/moto"
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
eval "$(python3 scripts/lib/local_aws.py bench)"

echo "==> generating ${total_mib} MiB (one file of ${big_mib} MiB) and uploading to the emulator"
python3 - "$state/files" "$total_mib" "$big_mib" "${INGEST_ALLOWED_BUCKETS}" <<'PY'
import json, os, random, sys
import boto3
out, total_mib, big_mib, bucket = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
rng = random.Random(7)
words = [''.join(rng.choice('abcdefghijklmnopqrstuvwxyz') for _ in range(rng.randint(2, 10))) for _ in range(20000)]
def paragraph():
    sentences = []
    for _ in range(rng.randint(3, 8)):
        s = ' '.join(rng.choice(words) for _ in range(rng.randint(6, 20)))
        sentences.append(s.capitalize() + '.')
    return ' '.join(sentences)
block = '\n\n'.join(paragraph() for _ in range(400)) + '\n\n'   # ~250 KiB of reusable text
def text_of(size):
    reps, rest = divmod(size, len(block))
    return block * reps + block[:rest]
s3 = boto3.client('s3')
def put(key, data):
    s3.put_object(Bucket=bucket, Key=key, Body=data.encode('utf-8'))
sizes = [big_mib * 1024 * 1024]
remaining = (total_mib - big_mib) * 1024 * 1024
i = 0
while remaining > 0:
    size = min(remaining, rng.choice([2 * 1024, 16 * 1024, 128 * 1024, 512 * 1024, 2 * 1024 * 1024]))
    sizes.append(size)
    remaining -= size
docs = 0
for n, size in enumerate(sizes):
    if n % 10 == 9:
        lines, written = [], 0
        while written < size:
            t = text_of(rng.randint(200, 4000))
            lines.append(json.dumps({"title": f"record {n}-{len(lines)}", "text": t}))
            written += len(lines[-1]) + 1
        put(f"bench/f{n:05d}.ndjson", '\n'.join(lines) + '\n')
        docs += len(lines)
    else:
        put(f"bench/f{n:05d}.txt", f"Bench file {n}\n\n" + text_of(size))
        docs += 1
print(f"{len(sizes)} files, {docs} documents", file=sys.stderr)
PY

port=$(corpus_free_port)
common=(CALLBACK_SECRET=bench CALLBACK_ALLOW_PRIVATE=true INGEST_MAX_FILE_BYTES=$((256 * 1024 * 1024)) RUST_LOG=warn)
env "${common[@]}" PORT="$port" BIND_ADDRESS=127.0.0.1 API_KEY_SHA256="$(printf bench | sha256sum | cut -d' ' -f1)" \
  "$bin"/ingest serve > "$state/serve.log" 2>&1 &
pids+=($!)
env "${common[@]}" WORKER_CONCURRENCY="$concurrency" WORKER_VISIBILITY_SECONDS=120 \
  "$bin"/ingest work > "$state/work.log" 2>&1 &
worker_pid=$!
pids+=("$worker_pid")
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done

echo "==> ingesting (worker concurrency $concurrency)"
start=$(date +%s.%N)
job=$(curl -fsS -X POST -H 'authorization: Bearer bench' "http://127.0.0.1:$port/jobs?bucket=${INGEST_ALLOWED_BUCKETS}&prefix=bench/")
id=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])' <<<"$job")
peak=0
while :; do
  status=$(curl -fsS "http://127.0.0.1:$port/jobs/$id" | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')
  rss=$(awk '/^VmHWM:/ {print $2}' "/proc/$worker_pid/status")
  [ "$rss" -gt "$peak" ] && peak=$rss
  case "$status" in queued | running) sleep 0.5 ;; *) break ;; esac
done
end=$(date +%s.%N)
final=$(curl -fsS "http://127.0.0.1:$port/jobs/$id")

echo "==> ceiling: psql \\copy of the same passages into an equivalent table"
psql "$DATABASE_URL" -qc "\\copy (SELECT document_id, seq, text FROM passages) TO '$state/passages.tsv'"
psql "$DATABASE_URL" -q <<'SQL'
CREATE TABLE passages_copy (
    document_id uuid NOT NULL, seq integer NOT NULL, text text NOT NULL,
    tsv tsvector GENERATED ALWAYS AS (to_tsvector('english', text)) STORED,
    terms tsvector,
    PRIMARY KEY (document_id, seq));
CREATE INDEX passages_copy_tsv_idx ON passages_copy USING GIN (tsv);
-- The search index of passages (migration m20261220_000001_search_terms), filled the same way.
CREATE INDEX passages_copy_terms_idx ON passages_copy USING GIN (terms);
CREATE TRIGGER passages_copy_fill_search_terms BEFORE INSERT ON passages_copy
  FOR EACH ROW EXECUTE FUNCTION passages_fill_search_terms();
SQL
copy_start=$(date +%s.%N)
psql "$DATABASE_URL" -qc "\\copy passages_copy (document_id, seq, text) FROM '$state/passages.tsv'"
copy_end=$(date +%s.%N)

python3 - "$final" "$start" "$end" "$copy_start" "$copy_end" "$peak" "$(stat -c %s "$state/passages.tsv")" <<'PY'
import json, sys
job = json.loads(sys.argv[1])
start, end, cs, ce = map(float, sys.argv[2:6])
peak_kib, tsv_bytes = int(sys.argv[6]), int(sys.argv[7])
mib = job["bytes"] / 2**20
secs, copy_secs = end - start, ce - cs
rate, copy_rate = mib / secs, (tsv_bytes / 2**20) / copy_secs
print(f"""
results
  job                  {job['status']}: {job['files_done']} files done, {job['files_failed']} failed, {job['documents']} documents
  ingested             {mib:.1f} MiB in {secs:.1f} s = {rate:.1f} MiB/s, {job['documents'] / secs:.1f} documents/s
  psql \\copy ceiling   {tsv_bytes / 2**20:.1f} MiB in {copy_secs:.1f} s = {copy_rate:.1f} MiB/s
  ratio                {rate / copy_rate:.2f}x of the COPY rate   (goal >= 0.5x)
  worker peak RSS      {peak_kib / 1024:.0f} MiB   (goal < 200 MiB)""")
PY
