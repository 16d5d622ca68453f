# shellcheck shell=bash
# Process helpers for the scripts that start servers.
#
#   corpus_descendants <pid>
#       Prints every descendant of <pid>, one per line, each after its own descendants
#       (so a list signalled in order reaches children before their parents). A signal to
#       <pid> alone does not reach them: `npx` runs `npm exec`, which runs `node`, and
#       neither forwards SIGTERM, so a web app started through it outlived the scripts.
#   corpus_any_alive <pid>...
#       True while any of the processes still runs.
#
# Sourcing the file has no side effect.

corpus_descendants() {
  local child
  for child in $(pgrep -P "$1" 2>/dev/null); do
    corpus_descendants "$child"
    echo "$child"
  done
}

corpus_any_alive() {
  local p
  for p in "$@"; do
    kill -0 "$p" 2>/dev/null && return 0
  done
  return 1
}
