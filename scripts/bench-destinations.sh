#!/usr/bin/env bash
# Destinations benchmark: pgferry's initial copy into MariaDB and SQLite against each database's own bulk loader
# (the ceiling), and pgferry's catch-up into MariaDB, in one run on one machine.
#
#   scripts/bench-destinations.sh [--rows N] [--changes N] [--workers N] [--copy-mode snapshot|chunked]
#                                 [--only mariadb,sqlite]
#
#   --rows N       rows of the source table (default 2000000)
#   --changes N    changes for the MariaDB catch-up test, 5 per transaction (default 500000)
#   --workers N    pgferry's copy workers (default 2)
#   --copy-mode M  pgferry's copy mode (default snapshot; chunked: resumable key-range chunks, see docs/destinations.md)
#   --only LIST    run only these parts (mariadb, sqlite)
#   BENCH_KEEP_LOGS=DIR  keeps the tools' and servers' logs in DIR
#
# The source is a PostgreSQL 15 cluster; MariaDB is Debian's mariadb-server, started unprivileged on a free port
# with local_infile on and innodb_flush_log_at_trx_commit = 1; SQLite files are written with sqlite3 (Debian's
# package) and by pgferry. The baselines load a CSV file exported from the source beforehand: MariaDB's LOAD DATA
# LOCAL INFILE and the sqlite3 shell's .import, into tables of the same definition pgferry created. pgferry's figure is
# the whole command (JVM start, slot, snapshot, copy, position), the baselines' the load alone. Installs
# postgresql-15, mariadb-server and sqlite3 with apt-get when run as root and they are missing; leaves nothing behind.
set -euo pipefail

rows=2000000
changes=500000
workers=2
only="mariadb,sqlite"
copy_mode=snapshot
while [ $# -gt 0 ]; do
  case "$1" in
    --rows) rows="$2"; shift 2 ;;
    --changes) changes="$2"; shift 2 ;;
    --workers) workers="$2"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
    --copy-mode) copy_mode="$2"; shift 2 ;;
    -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
    *) echo "bench-destinations: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
part() { [[ ",$only," == *",$1,"* ]]; }

bench=bench-destinations
repo="$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=lib/pg15-bench.sh
. "$repo/scripts/lib/pg15-bench.sh"
bench_require pgbench
if ! command -v sqlite3 >/dev/null || ! command -v mariadb-install-db >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    log "installing sqlite3 mariadb-server"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q sqlite3 mariadb-server >&2
  else
    log "needs sqlite3 and mariadb-server: apt-get install sqlite3 mariadb-server"; exit 2
  fi
fi
bench_build
bench_workdir

bench_logical_source

log "source: $rows rows"
psql_s <<SQL
CREATE TABLE t (id bigint PRIMARY KEY, a int NOT NULL, b text, c numeric(12,2), d timestamptz);
INSERT INTO t SELECT i, i % 1000, md5(i::text), (i % 100000) / 100.0,
  '2026-01-01 00:00+00'::timestamptz + i * interval '1 second' FROM generate_series(1, $rows) i;
VACUUM ANALYZE t;
SQL
# The same rows as each loader reads them: timestamps in UTC without an offset, NULL as \N.
psql_s -c "SET TimeZone = 'UTC'" \
  -c "\\copy (SELECT id, a, b, c, d AT TIME ZONE 'UTC' FROM t) TO '$work/t.csv' WITH (FORMAT csv)"

declare -A copy_time
results=()

if part mariadb; then
  log "MariaDB: starting a server"
  maria_port=$(free_port)
  mkdir -p "$work/maria"
  owner=()
  if [ "$(id -u)" = 0 ]; then chown mysql "$work/maria"; owner=(--user=mysql); fi
  mariadb-install-db --no-defaults "${owner[@]}" --datadir="$work/maria" --auth-root-authentication-method=normal \
    >"$work/maria-install.log" 2>&1
  /usr/sbin/mariadbd --no-defaults "${owner[@]}" --datadir="$work/maria" --port="$maria_port" \
    --bind-address=127.0.0.1 --socket="$work/maria/mariadb.sock" --pid-file="$work/maria/mariadb.pid" --local-infile=1 \
    --innodb-buffer-pool-size=1G --innodb-log-file-size=512M --innodb-flush-log-at-trx-commit=1 \
    --max-allowed-packet=64M --log-error="$work/maria/mariadb.log" &
  bench_pids="$bench_pids $!"
  my() { mariadb --no-defaults -uroot --socket="$work/maria/mariadb.sock" --local-infile=1 "$@"; }
  for _ in $(seq 300); do my -e "SELECT 1" >/dev/null 2>&1 && break; sleep 0.2; done
  my -e "SELECT 1" >/dev/null || { log "MariaDB did not start"; tail -20 "$work/maria/mariadb.log" >&2; exit 1; }
  my -e "CREATE DATABASE pgf; CREATE DATABASE base; CREATE USER 'bench'@'127.0.0.1' IDENTIFIED BY 'bench';
         GRANT ALL ON *.* TO 'bench'@'127.0.0.1'"
  M="mariadb://bench:bench@127.0.0.1:$maria_port/pgf"

  log "MariaDB copy 1/2: pgferry sync --until-caught-up ($workers workers, copy mode $copy_mode)"
  t0=$(now)
  pgferry sync --source "$S" --target "$M" --workers "$workers" --copy-mode "$copy_mode" --until-caught-up --verbose \
    --slot bench_maria \
    --publication bench_maria >"$work/pgferry-maria.log" 2>&1 || { cat "$work/pgferry-maria.log" >&2; exit 1; }
  copy_time[pgferry_maria]=$(secs "$t0" "$(now)")

  log "MariaDB copy 2/2: LOAD DATA LOCAL INFILE of the CSV into the same table definition"
  my base -e "CREATE TABLE t LIKE pgf.t"
  t0=$(now)
  my base -e "LOAD DATA LOCAL INFILE '$work/t.csv' INTO TABLE t CHARACTER SET utf8mb4
              FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '\"' LINES TERMINATED BY '\n'"
  copy_time[load_data]=$(secs "$t0" "$(now)")
  a=$(my -N pgf -e "SELECT count(*), sum(a), sum(c), max(d) FROM t")
  b=$(my -N base -e "SELECT count(*), sum(a), sum(c), max(d) FROM t")
  [ "$a" = "$b" ] || { log "MariaDB: pgferry's table ($a) differs from LOAD DATA's ($b)"; exit 1; }

fi

if part sqlite; then
  log "SQLite copy 1/2: pgferry sync --until-caught-up (copy mode $copy_mode)"
  t0=$(now)
  pgferry sync --source "$S" --target "sqlite:$work/pgferry.db" --copy-mode "$copy_mode" \
    --until-caught-up --verbose --slot bench_sqlite \
    --publication bench_sqlite >"$work/pgferry-sqlite.log" 2>&1 || { cat "$work/pgferry-sqlite.log" >&2; exit 1; }
  copy_time[pgferry_sqlite]=$(secs "$t0" "$(now)")

  log "SQLite copy 2/2: sqlite3 .import of the CSV into the same table definition"
  sqlite3 "$work/pgferry.db" ".schema t" | sqlite3 "$work/base.db"
  t0=$(now)
  sqlite3 "$work/base.db" ".import --csv $work/t.csv t"
  copy_time[import]=$(secs "$t0" "$(now)")
  a=$(sqlite3 "$work/pgferry.db" "SELECT count(*), sum(a) FROM t")
  b=$(sqlite3 "$work/base.db" "SELECT count(*), sum(a) FROM t")
  [ "$a" = "$b" ] || { log "SQLite: pgferry's table ($a) differs from .import's ($b)"; exit 1; }
  results+=("SQLite copy of $rows rows ($copy_mode): pgferry ${copy_time[pgferry_sqlite]} s, sqlite3 .import ${copy_time[import]} s, ratio (.import time / pgferry time) $(ratio "${copy_time[import]}" "${copy_time[pgferry_sqlite]}")")
fi

if part mariadb; then
  log "MariaDB catch-up: $changes changes, 5 per transaction, made while the sync is stopped"
  cat >"$work/mix.sql" <<EOF
\set r1 random(1, $rows)
\set r2 random(1, $rows)
\set r3 random(1, $rows)
BEGIN;
UPDATE t SET a = a + 1 WHERE id = :r1;
UPDATE t SET b = md5(b) WHERE id = :r2;
INSERT INTO t VALUES ($rows + :r3 + (random() * 1000000000)::bigint, 1, 'new', 1, now()) ON CONFLICT DO NOTHING;
DELETE FROM t WHERE id = :r3;
UPDATE t SET d = now() WHERE id = :r1;
COMMIT;
EOF
  per_client=$((changes / 5 / 2))
  "$pgbin/pgbench" -n -c 2 -j 2 -t "$per_client" -f "$work/mix.sql" "$S" >"$work/pgbench-mix.log" 2>&1
  generated=$((per_client * 2 * 5))
  t0=$(now)
  pgferry sync --source "$S" --target "$M" --until-caught-up --slot bench_maria --publication bench_maria \
    >"$work/pgferry-maria-catchup.log" 2>&1 || { cat "$work/pgferry-maria-catchup.log" >&2; exit 1; }
  cu_maria=$(secs "$t0" "$(now)")
  a=$(my -N pgf -e "SELECT count(*), sum(a) FROM t")
  b=$(psql_s -At -F $'\t' -c "SELECT count(*), sum(a) FROM t")
  [ "$a" = "$b" ] || { log "MariaDB catch-up: target ($a) differs from source ($b)"; exit 1; }
  results+=("MariaDB copy of $rows rows ($copy_mode): pgferry ${copy_time[pgferry_maria]} s, LOAD DATA ${copy_time[load_data]} s, ratio (LOAD DATA time / pgferry time) $(ratio "${copy_time[load_data]}" "${copy_time[pgferry_maria]}")")
  results+=("MariaDB catch-up of $generated changes: ${cu_maria} s, $(python3 -c "print(round($generated / $cu_maria))") changes/s (whole command)")
fi

echo
echo "destinations benchmark, $(nproc) cores; ratio >= 1 means pgferry is at least as fast as the loader"
for r in "${results[@]}"; do echo "  $r"; done
