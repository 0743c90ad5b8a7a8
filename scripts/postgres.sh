#!/usr/bin/env bash
# postgres.sh — a throw-away PostgreSQL 15 on 127.0.0.1 for Ava's integration tests (the
# PostgresStore contract suite). Everything lives in $AVA_PG_DIR; the server is stopped by its
# recorded PID only. postgres refuses to run as root, so under root the cluster belongs to the
# `postgres` user of Debian's postgresql package and the server runs as that user (setpriv execs
# it, so the recorded PID is the postmaster's own).
#
#   scripts/postgres.sh start   initdb (first time) and start; idempotent: a healthy server is reused
#   scripts/postgres.sh env     print: export AVA_PG_URL=postgres://ava@127.0.0.1:PORT/ava
#   scripts/postgres.sh stop    fast shutdown (clients are disconnected); the data directory stays
#   scripts/postgres.sh purge   stop and delete $AVA_PG_DIR
#
# Environment: AVA_PG_DIR (default /tmp/ava-pg; must be reachable by the postgres user),
# AVA_PG_PORT (first port tried, default 55432; the next free one is taken).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PG_DIR=${AVA_PG_DIR:-/tmp/ava-pg}
export AVA_RUN_DIR=$PG_DIR
# shellcheck source=lib/procs.sh
source "$HERE/lib/procs.sh"

BIN=/usr/lib/postgresql/15/bin
DATA=$PG_DIR/data
SOCK=$PG_DIR/run
ENV_FILE=$PG_DIR/pg.env
USER_NAME=ava
DB_NAME=ava

# Runs a command as the cluster's owner: `postgres` under root, ourselves otherwise.
as_owner() {
  if [[ $(id -u) == 0 ]]; then
    setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"
  else
    "$@"
  fi
}

port_busy() { (exec 3<> "/dev/tcp/127.0.0.1/$1") 2> /dev/null; }

ready() { [[ -s $ENV_FILE ]] && as_owner "$BIN/pg_isready" -q -h 127.0.0.1 -p "$(cat "$PG_DIR/port")"; }

cmd_start() {
  [[ -x $BIN/postgres ]] || ava_die "PostgreSQL 15 is not installed (apt-get install postgresql)"
  if [[ $(id -u) == 0 ]]; then id postgres > /dev/null 2>&1 || ava_die "no 'postgres' user to run the server as"; fi
  if ava_alive postgres && ready; then
    ava_log "postgres already running; $(cut -d' ' -f2 "$ENV_FILE")"
    return 0
  fi
  cmd_stop
  mkdir -p "$PG_DIR/log" "$PG_DIR/pids" "$SOCK"
  if [[ $(id -u) == 0 ]]; then chown postgres:postgres "$PG_DIR" "$SOCK"; fi
  if [[ ! -s $DATA/PG_VERSION ]]; then
    rm -rf "$DATA"
    as_owner "$BIN/initdb" -D "$DATA" -U "$USER_NAME" --auth=trust -E UTF8 --no-locale \
      > "$PG_DIR/log/initdb.log" 2>&1 || { cat "$PG_DIR/log/initdb.log" >&2; ava_die "initdb failed"; }
  fi
  local port=${AVA_PG_PORT:-55432}
  while port_busy "$port"; do port=$((port + 1)); done
  echo "$port" > "$PG_DIR/port"
  # Durability is off on purpose: this cluster is thrown away after the tests.
  local owner=()
  [[ $(id -u) != 0 ]] || owner=(setpriv --reuid=postgres --regid=postgres --init-groups --)
  ava_spawn postgres "${owner[@]}" "$BIN/postgres" -D "$DATA" -p "$port" -k "$SOCK" \
    -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
    -c max_connections=200
  echo "export AVA_PG_URL=postgres://$USER_NAME@127.0.0.1:$port/$DB_NAME" > "$ENV_FILE"
  ava_wait 30 "postgres on 127.0.0.1:$port" ready
  if ! as_owner "$BIN/psql" -h 127.0.0.1 -p "$port" -U "$USER_NAME" -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'" | grep -q 1; then
    as_owner "$BIN/createdb" -h 127.0.0.1 -p "$port" -U "$USER_NAME" "$DB_NAME"
  fi
  ava_log "postgres ready on 127.0.0.1:$port (eval \"\$($0 env)\")"
}

cmd_stop() {
  local pid
  # SIGINT is PostgreSQL's fast shutdown (SIGTERM would wait for every client to leave).
  if pid=$(ava_pid postgres); then kill -INT "$pid" 2> /dev/null || true; fi
  ava_stop 30 postgres
  rm -f "$ENV_FILE"
}

case ${1:-} in
  start) cmd_start ;;
  stop) cmd_stop ;;
  purge) cmd_stop; rm -rf "$PG_DIR" ;;
  env) ready || ava_die "postgres is not running (run: $0 start)"; cat "$ENV_FILE" ;;
  *) sed -n '2,16p' "$0"; exit 2 ;;
esac
