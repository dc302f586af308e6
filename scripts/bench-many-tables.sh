#!/usr/bin/env bash
# Many-tables benchmark: the initial copy of a schema of many small tables (each with a serial key, a secondary index
# and a few rows), where the cost is per table (catalog reads, creation, rehearsal, index builds, sequences) rather
# than per row. pgferry in both copy modes against pg_dump -Fc | pg_restore and pgcopydb clone, in one run, on two
# local PostgreSQL 15 clusters (Debian's packages).
#
#   scripts/bench-many-tables.sh [--tables N] [--jobs N]
#
#   --tables N   tables in the source schema (default 3000)
#   --jobs N     parallel jobs: pgferry --workers, pgcopydb --table-jobs/--index-jobs (default 4)
#   BENCH_KEEP_LOGS=DIR  keeps the tools' and servers' logs in DIR
#
# The clusters run with their default max_locks_per_transaction (64). Installs postgresql-15 and pgcopydb with apt-get
# when run as root and they are missing. Leaves nothing behind.
set -euo pipefail

tables=3000
jobs=4
while [ $# -gt 0 ]; do
  case "$1" in
    --tables) tables="$2"; shift 2 ;;
    --jobs) jobs="$2"; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "bench-many-tables: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

bench=bench-many-tables
repo="$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=lib/pg15-bench.sh
. "$repo/scripts/lib/pg15-bench.sh"
bench_require pgcopydb
bench_build
bench_workdir

bench_logical_source
dst_port=$(free_port)
bench_cluster dst "$dst_port" </dev/null
T="postgresql://postgres@127.0.0.1:$dst_port/bench"
psql_admin() { "$pgbin/psql" -X -q -v ON_ERROR_STOP=1 "postgresql://postgres@127.0.0.1:$1/postgres" -c "$2"; }

log "creating $tables tables in the source"
python3 - "$tables" <<'EOF' | psql_s >/dev/null
import sys
n = int(sys.argv[1])
print("CREATE SCHEMA app;")
for i in range(n):
    print(f"CREATE TABLE app.t{i} (id bigserial PRIMARY KEY, name text NOT NULL, v int,"
          f" created timestamptz DEFAULT now());")
    print(f"CREATE INDEX t{i}_v ON app.t{i} (v);")
    print(f"INSERT INTO app.t{i} (name, v) SELECT 'n' || g, g FROM generate_series(1, {1 + i % 20}) g;")
EOF
psql_s -c "VACUUM ANALYZE" -c CHECKPOINT >/dev/null
# The rows of every table of schema app, counted (statistics may lag behind a load).
count_rows="SELECT sum((xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I.%I', schemaname,
  tablename), false, true, '')))[1]::text::bigint) FROM pg_tables WHERE schemaname = 'app'"
expected=$(psql_s -At -c "$count_rows")

fresh_target() {
  psql_admin "$dst_port" "DROP DATABASE IF EXISTS bench WITH (FORCE)"
  psql_admin "$dst_port" "CREATE DATABASE bench"
  psql_admin "$dst_port" "CHECKPOINT"
}
check() {
  local rows indexes
  rows=$("$pgbin/psql" -X -At "$T" -c "$count_rows")
  indexes=$("$pgbin/psql" -X -At "$T" -c "SELECT count(*) FROM pg_indexes WHERE schemaname = 'app'")
  [ "$rows" = "$expected" ] && [ "$indexes" = $((2 * tables)) ] || \
    { log "$1: the target holds $rows rows and $indexes indexes, not $expected and $((2 * tables))"; exit 1; }
}

declare -A took
for mode in snapshot chunked; do
  log "pgferry sync --copy-mode $mode --workers $jobs --until-caught-up"
  fresh_target
  t0=$(now)
  pgferry sync --source "$S" --target "$T" --tables 'app.*' --workers "$jobs" --copy-mode "$mode" --until-caught-up \
    --slot "many_$mode" --publication "many_$mode" >"$work/pgferry-$mode.log" 2>&1 || \
    { tail -20 "$work/pgferry-$mode.log" >&2; exit 1; }
  took[$mode]=$(secs "$t0" "$(now)")
  check "pgferry $mode"
  psql_s -c "SELECT pg_drop_replication_slot('many_$mode')" -c "DROP PUBLICATION many_$mode" >/dev/null
done

log "pg_dump -Fc | pg_restore"
fresh_target
t0=$(now)
"$pgbin/pg_dump" -Fc -n app -d "$S" | "$pgbin/pg_restore" -d "$T"
took[pg_dump]=$(secs "$t0" "$(now)")
check pg_dump

log "pgcopydb clone --table-jobs $jobs --index-jobs $jobs"
fresh_target
t0=$(now)
if as_pg env TMPDIR="$work" pgcopydb clone --source "$S" --target "$T" --dir "$work/pgcopydb" \
  --table-jobs "$jobs" --index-jobs "$jobs" >"$work/pgcopydb.log" 2>&1; then
  took[pgcopydb]=$(secs "$t0" "$(now)")
  check pgcopydb
elif grep -q 'out of shared memory' "$work/pgcopydb.log"; then
  # It restores the schema in one transaction, which a schema this size does not fit in the default lock table.
  log "pgcopydb clone failed: out of shared memory (the target's max_locks_per_transaction)"
  took[pgcopydb]=failed
else
  tail -20 "$work/pgcopydb.log" >&2
  exit 1
fi

echo
echo "initial copy of $tables tables, $expected rows (seconds; speedup = other's time / pgferry's)"
printf '  %-36s %8s %10s %10s\n' tool seconds snapshot chunked
for tool in snapshot chunked pg_dump pgcopydb; do
  case $tool in
    snapshot|chunked) name="pgferry sync --copy-mode $tool" ;;
    pg_dump) name="pg_dump -Fc | pg_restore" ;;
    pgcopydb) name="pgcopydb clone" ;;
  esac
  if [ "${took[$tool]}" = failed ]; then
    printf '  %-36s %8s %10s %10s\n' "$name" failed - -
  else
    printf '  %-36s %8s %10s %10s\n' "$name" "${took[$tool]}" "$(ratio "${took[$tool]}" "${took[snapshot]}")" \
      "$(ratio "${took[$tool]}" "${took[chunked]}")"
  fi
done
