#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL server.
#
#   scripts/with_postgres.sh CMD [ARGS...]
#
# Creates a fresh cluster in a temporary directory (owned by `postgres` when
# run as root, because initdb refuses to run as root), starts it on a free
# loopback port with durability turned off (test data only), creates the
# database `journey_test` and runs CMD with
#
#   TEST_DATABASE_URL=postgresql+psycopg://journey@127.0.0.1:PORT/journey_test
#   PGHOST=127.0.0.1 PGPORT=PORT PGUSER=journey PGDATABASE=journey_test
#   JOURNEY_REQUIRE_POSTGRES=1
#   JOURNEY_TEST_PG_CTL, JOURNEY_TEST_PG_DATA (and JOURNEY_TEST_PG_RUNAS as root):
#     how a test can restart this server
#
# `journey` is the bootstrap superuser, so tests may create extra databases.
# The server is stopped and the directory removed on every exit path; the
# script exits with CMD's exit code.
set -euo pipefail

if [ "$#" -eq 0 ]; then
    echo "usage: $0 CMD [ARGS...]" >&2
    exit 2
fi

# Newest installed PostgreSQL unless PG_BINDIR says otherwise.
if [ -z "${PG_BINDIR:-}" ]; then
    PG_BINDIR=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
fi
for tool in initdb pg_ctl createdb; do
    if [ -z "${PG_BINDIR:-}" ] || [ ! -x "$PG_BINDIR/$tool" ]; then
        echo "with_postgres.sh: ERROR: PostgreSQL server binaries not found" \
             "(looked for $tool in ${PG_BINDIR:-/usr/lib/postgresql/*/bin})." >&2
        echo "with_postgres.sh: install them with 'apt-get install -y postgresql'" \
             "(or run 'make install-dev' as root), or set PG_BINDIR." >&2
        exit 127
    fi
done

PGTMP=$(mktemp -d "${PG_TMPROOT:-/tmp}/journey-pg.XXXXXX")
chmod 0755 "$PGTMP"
if [ "$(id -u)" -eq 0 ]; then
    if ! id postgres >/dev/null 2>&1; then
        echo "with_postgres.sh: ERROR: running as root but there is no 'postgres' user." >&2
        rm -rf "$PGTMP"
        exit 1
    fi
    chown postgres: "$PGTMP"
    as_pg() { runuser -u postgres -- "$@"; }
else
    as_pg() { "$@"; }
fi

DATA="$PGTMP/data"
LOG="$PGTMP/postgres.log"
STARTED=0

cleanup() {
    if [ "$STARTED" -eq 1 ]; then
        as_pg "$PG_BINDIR/pg_ctl" -D "$DATA" -m immediate -w stop >/dev/null 2>&1 \
            || echo "with_postgres.sh: warning: pg_ctl stop failed" >&2
    fi
    rm -rf "$PGTMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

as_pg "$PG_BINDIR/initdb" -D "$DATA" -U journey --auth=trust -E UTF8 --locale=C.UTF-8 \
    >"$PGTMP/initdb.log" 2>&1 || {
    echo "with_postgres.sh: ERROR: initdb failed:" >&2
    cat "$PGTMP/initdb.log" >&2
    exit 1
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# A port picked this way can be taken by someone else before the server binds
# it, so try a few times.
for attempt in 1 2 3; do
    PORT=$(free_port)
    if as_pg "$PG_BINDIR/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 \
        -o "-p $PORT -k $PGTMP -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >/dev/null; then
        STARTED=1
        break
    fi
    echo "with_postgres.sh: server did not start on port $PORT (attempt $attempt)" >&2
done
if [ "$STARTED" -ne 1 ]; then
    echo "with_postgres.sh: ERROR: could not start PostgreSQL; server log:" >&2
    cat "$LOG" >&2 || true
    exit 1
fi

"$PG_BINDIR/createdb" -h 127.0.0.1 -p "$PORT" -U journey journey_test

export PGHOST=127.0.0.1 PGPORT="$PORT" PGUSER=journey PGDATABASE=journey_test
export TEST_DATABASE_URL="postgresql+psycopg://journey@127.0.0.1:$PORT/journey_test"
export JOURNEY_REQUIRE_POSTGRES=1
# For the test that restarts the server under a running app.
export JOURNEY_TEST_PG_CTL="$PG_BINDIR/pg_ctl" JOURNEY_TEST_PG_DATA="$DATA"
if [ "$(id -u)" -eq 0 ]; then export JOURNEY_TEST_PG_RUNAS=postgres; fi
echo "with_postgres.sh: PostgreSQL $("$PG_BINDIR/postgres" --version | awk '{print $3}')" \
     "on 127.0.0.1:$PORT (data in $PGTMP)" >&2

set +e
"$@"
rc=$?
set -e
exit "$rc"
