# shellcheck shell=bash
# wrk for the benchmarks: installed from Debian when missing, and its latency figures.

bench_need_wrk() {
  if ! command -v wrk >/dev/null 2>&1; then
    echo "installing wrk (Debian package)..." >&2
    apt-get install -y -qq wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
  fi
}

# bench_p99_ms <wrk --latency output>: its 99th percentile in milliseconds (wrk prints
# 12.34ms, 1.20s or 900.00us).
bench_p99_ms() {
  awk '$1 == "99%" {print $2}' "$1" | python3 -c 'import sys; v = sys.stdin.read().strip(); u = v.lstrip("0123456789."); n = float(v[: len(v) - len(u)]); print(round(n * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[u], 2))'
}
