# shellcheck shell=bash
# Throwaway PostgreSQL clusters for scripts/dev.sh and scripts/test.sh.
#
#   corpus_pg_start DIR   start (initialising on first use) a cluster whose data lives in
#                         DIR/data, on a free 127.0.0.1 port; exports CORPUS_PG_PORT and
#                         DATABASE_URL (the `postgres` database, user `corpus`, trust auth;
#                         every other role logs in with its password: scram-sha-256)
#   corpus_pg_stop DIR    stop it (fast shutdown); a no-op when it is not running
#   corpus_pg_service_logins URL
#                         gives the services' own roles (corpus_documents, corpus_worker: made
#                         by `documents migrate`) fixed local passwords and exports
#                         CORPUS_DOCUMENTS_DATABASE_URL and CORPUS_WORKER_DATABASE_URL (URL's
#                         database as each role), so the local services run with the grants
#                         they have in AWS
#
# initdb refuses to run as root: as root the cluster runs as the unprivileged system user
# `corpuspg` (created on first use). Source this file; it defines functions only.

corpus_pg_bin() {
  local dir
  for dir in "${CORPUS_PG_BIN:-}" /usr/lib/postgresql/*/bin; do
    if [ -n "$dir" ] && [ -x "$dir/pg_ctl" ]; then
      echo "$dir"
      return 0
    fi
  done
  if command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(command -v pg_ctl)"
    return 0
  fi
  return 1
}

corpus_pg_install() {
  if corpus_pg_bin >/dev/null; then
    return 0
  fi
  if [ "$(id -u)" -ne 0 ]; then
    echo "PostgreSQL server binaries not found; install them (Debian: apt-get install postgresql) or set CORPUS_PG_BIN" >&2
    return 1
  fi
  echo "installing PostgreSQL (Debian package postgresql)..." >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
}

# Runs a command as the cluster owner.
corpus_pg_as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u corpuspg -- "$@"
  else
    "$@"
  fi
}

corpus_pg_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

corpus_pg_start() {
  local dir=$1 bin port
  corpus_pg_install
  bin=$(corpus_pg_bin)
  mkdir -p "$dir"
  if [ "$(id -u)" -eq 0 ]; then
    id corpuspg >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin corpuspg
    chown corpuspg "$dir"
  fi
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    rm -rf "$dir/data"
    corpus_pg_as_owner "$bin/initdb" -D "$dir/data" -U corpus -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || { echo "initdb failed; see $dir/initdb.log" >&2; cat "$dir/initdb.log" >&2; return 1; }
  fi
  # The admin user `corpus` logs in without a password (a throwaway cluster); every other
  # role needs its password, so the services' own roles and their rotation are real.
  corpus_pg_as_owner tee "$dir/data/pg_hba.conf" >/dev/null <<'HBA'
# Written by scripts/lib/postgres.sh at every start.
local all corpus              trust
host  all corpus 127.0.0.1/32 trust
local all all                 scram-sha-256
host  all all    127.0.0.1/32 scram-sha-256
HBA
  # A cluster left running by an earlier run (e.g. killed with SIGKILL) is stopped first.
  if [ -f "$dir/data/postmaster.pid" ]; then
    corpus_pg_as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -f "$dir/data/postmaster.pid"
  fi
  port=$(corpus_pg_free_port)
  corpus_pg_as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=${CORPUS_PG_FSYNC:-on} -c shared_buffers=128MB" \
    start >/dev/null \
    || { echo "PostgreSQL did not start; see $dir/postgres.log" >&2; tail -n 20 "$dir/postgres.log" >&2; return 1; }
  export CORPUS_PG_PORT=$port
  export DATABASE_URL="postgres://corpus@127.0.0.1:$port/postgres"
}

corpus_pg_service_logins() {
  local url=$1
  psql "$url" -qX -v ON_ERROR_STOP=1 \
    -c "ALTER ROLE corpus_documents PASSWORD 'local-documents'" \
    -c "ALTER ROLE corpus_worker PASSWORD 'local-worker'" || return 1
  export CORPUS_DOCUMENTS_DATABASE_URL="postgres://corpus_documents:local-documents@${url#*@}"
  export CORPUS_WORKER_DATABASE_URL="postgres://corpus_worker:local-worker@${url#*@}"
}

corpus_pg_stop() {
  local dir=$1 bin
  [ -f "$dir/data/postmaster.pid" ] || return 0
  bin=$(corpus_pg_bin) || return 0
  corpus_pg_as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null 2>&1 \
    || corpus_pg_as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
}
