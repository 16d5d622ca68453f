"""The query mix against one database prepared by bench/lib/tiers-*.sql (bench/search-tiers.sh).

    python3 bench/lib/tiers_mix.py <database url> <agree N> <size> <index build seconds>

Prints, for bench/search-tiers.sh's summary: each class's p50 and p99 (ms, each query once
after a warming pass, one at a time from psql), and how many of the first N queries of each
class have the exhaustive ranking's top 10 scores.
"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from query_mix import queries  # noqa: E402

url, agree, size, build_s = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]

def lit(s):
    return "'" + s.replace("'", "''") + "'"

def lexemes(words):
    return f"(SELECT string_agg(lexeme, ' ') FROM unnest(to_tsvector('english', {lit(words)})))"

def call(fn, raw):
    """fn(tsquery, positive terms, 10): a quoted pair is its shingle, a term of its own."""
    if raw.startswith('"'):
        a, b = raw.strip('"').split()
        shingle = f"{lexemes(a)} || ' ' || {lexemes(b)}"
        return f"{fn}(lex({shingle}), ARRAY[{shingle}], 10)"
    positive = " ".join(w for w in raw.split() if not w.startswith("-"))
    return (f"{fn}(websearch_to_tsquery('english', {lit(raw)}), "
            f"ARRAY(SELECT DISTINCT lexeme FROM unnest(to_tsvector('english', {lit(positive)}))), 10)")

def psql(sql):
    return subprocess.run(["psql", url, "-X", "-q", "-t", "-A"], input=sql,
                          capture_output=True, text=True, check=True).stdout

def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, int(round(p / 100 * len(xs) + 0.5)) - 1))]

mix = queries()
sql = "".join(f"SELECT count(*) FROM {call('tiered', q)};\n" for c in mix for q in mix[c])
psql(sql)
times = [float(t) for t in re.findall(r"Time: ([0-9.]+) ms", psql("\\timing on\n" + sql))]
print(f"size {size} {build_s}")
for i, c in enumerate(mix):
    t = times[100 * i:100 * (i + 1)]
    print(f"class {c} {pct(t, 50):.1f} {pct(t, 99):.1f}")
print(f"class mix {pct(times, 50):.1f} {pct(times, 99):.1f}")
for c in mix:
    same = 0
    for q in mix[c][:agree]:
        top = lambda fn: f"(SELECT array_agg(round(s::numeric, 6)) FROM {call(fn, q)})"
        same += psql(f"SELECT {top('tiered')} IS NOT DISTINCT FROM {top('exhaustive')};").strip() == "t"
    print(f"agree {c} {same} {agree}")
print("index " + psql("SELECT pg_size_pretty(pg_relation_size('passages_tsv_idx')) || ' ' || "
                      "pg_size_pretty(pg_relation_size('passages_tt_idx'));").strip())
