#!/usr/bin/env bash
# shellcheck shell=bash
# Local AWS emulator (moto_server) lifecycle.
#
#   source scripts/lib/moto.sh
#   corpus_moto_start <state-dir>   start moto_server on a free 127.0.0.1 port, wait until
#                                   it answers, write <state-dir>/moto.pid and .port, log to
#                                   <state-dir>/moto.log, and export AWS_ENDPOINT_URL,
#                                   AWS_ACCESS_KEY_ID/SECRET (test), AWS_REGION and
#                                   AWS_DEFAULT_REGION (us-east-1)
#   corpus_moto_stop <state-dir>    stop the server started for that state dir
#
# moto_server must be on PATH (call corpus_venv from scripts/lib/venv.sh first).
# Sourcing the file has no side effect.

corpus_free_port() {
  python3 - <<'PY'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
PY
}

corpus_moto_start() {
  if [[ $# -ne 1 ]]; then
    echo "usage: corpus_moto_start <state-dir>" >&2
    return 2
  fi
  local dir="$1" port pid i
  mkdir -p "$dir" || return 1
  dir="$(cd "$dir" && pwd)"
  if ! command -v moto_server >/dev/null 2>&1; then
    echo "corpus_moto_start: moto_server not on PATH (call corpus_venv first)" >&2
    return 1
  fi
  # moto's own server, with DynamoDB's per-item atomicity (see moto_server.py).
  local server
  server="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/moto_server.py"
  if [[ -f "$dir/moto.pid" ]] && kill -0 "$(cat "$dir/moto.pid")" 2>/dev/null; then
    echo "corpus_moto_start: moto already running for $dir (pid $(cat "$dir/moto.pid"))" >&2
    return 1
  fi

  # A port can be taken between the probe and the bind: try a few.
  for _ in 1 2 3; do
    port="$(corpus_free_port)" || return 1
    "$(dirname "$(command -v moto_server)")/python" "$server" -H 127.0.0.1 -p "$port" >"$dir/moto.log" 2>&1 &
    pid=$!
    for ((i = 0; i < 100; i++)); do
      if ! kill -0 "$pid" 2>/dev/null; then
        break
      fi
      if curl -fsS -o /dev/null "http://127.0.0.1:$port/moto-api/" 2>/dev/null; then
        printf '%s\n' "$pid" >"$dir/moto.pid"
        printf '%s\n' "$port" >"$dir/moto.port"
        export AWS_ENDPOINT_URL="http://127.0.0.1:$port"
        export AWS_ACCESS_KEY_ID=test
        export AWS_SECRET_ACCESS_KEY=test
        export AWS_REGION=us-east-1
        export AWS_DEFAULT_REGION=us-east-1
        unset AWS_SESSION_TOKEN AWS_PROFILE
        echo "corpus_moto_start: moto_server pid $pid on $AWS_ENDPOINT_URL (log $dir/moto.log)" >&2
        return 0
      fi
      sleep 0.2
    done
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  echo "corpus_moto_start: moto_server did not start; last log lines:" >&2
  tail -n 20 "$dir/moto.log" >&2 || true
  return 1
}

corpus_moto_stop() {
  if [[ $# -ne 1 ]]; then
    echo "usage: corpus_moto_stop <state-dir>" >&2
    return 2
  fi
  local dir="$1" pid i
  [[ -f "$dir/moto.pid" ]] || return 0
  pid="$(cat "$dir/moto.pid")"
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      kill -9 "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$dir/moto.pid" "$dir/moto.port"
}
