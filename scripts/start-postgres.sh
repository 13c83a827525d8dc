#!/usr/bin/env bash
# Start a throwaway PostgreSQL server on 127.0.0.1:${PGPORT:-54329} with user/db "zmd" and print
# its DATABASE_URL. Used by .ci/run and by developers who want to run the suite on PostgreSQL.
set -euo pipefail
PGPORT=${PGPORT:-54329}
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
DATA=${PGDATA_DIR:-/tmp/zmd-pg-$PGPORT}
if ! "$PGBIN/pg_isready" -h 127.0.0.1 -p "$PGPORT" -q 2>/dev/null; then
  rm -rf "$DATA"
  mkdir -p "$DATA"
  chown postgres:postgres "$DATA"
  su postgres -c "$PGBIN/initdb -D $DATA -U postgres --auth=trust -E UTF8 --locale=C.UTF-8" >/dev/null
  su postgres -c "$PGBIN/pg_ctl -D $DATA -l $DATA/server.log -w -o '-p $PGPORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off' start" >/dev/null
fi
psql -h 127.0.0.1 -p "$PGPORT" -U postgres -tc "SELECT 1 FROM pg_roles WHERE rolname='zmd'" | grep -q 1 \
  || psql -h 127.0.0.1 -p "$PGPORT" -U postgres -qc "CREATE ROLE zmd LOGIN PASSWORD 'zmd' CREATEDB"
psql -h 127.0.0.1 -p "$PGPORT" -U postgres -tc "SELECT 1 FROM pg_database WHERE datname='zmd'" | grep -q 1 \
  || psql -h 127.0.0.1 -p "$PGPORT" -U postgres -qc "CREATE DATABASE zmd OWNER zmd"
echo "postgres://zmd:zmd@127.0.0.1:$PGPORT/zmd"
