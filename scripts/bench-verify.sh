#!/usr/bin/env bash
# Verification benchmark: pgferry's bucket sweep against pg-sync-guard's per-bucket query, data-diff's checksum
# query and a plain count(*); incremental verify after random writes; the write overhead of the guard triggers;
# and pgferry diff locating a few differing rows. One run, two local PostgreSQL 15 clusters (Debian's packages).
#
#   scripts/bench-verify.sh [--rows N] [--writes N] [--seconds N] [--diff-rows N] [--only PARTS]
#
#   --rows N       rows in the verified table (default 10000000, about 1.4 GB)
#   --writes N     random single-row writes before the incremental verify (default 1000)
#   --seconds N    length of each pgbench run of the write-overhead test (default 20)
#   --diff-rows N  rows changed on the subscriber for the diff test (default 10)
#   --only PARTS   a comma-separated subset of sweep,writes,incremental,diff (default: all)
#   BENCH_KEEP_LOGS=DIR  keeps the tools' and servers' logs in DIR
#
# Every figure comes from this run, on the same table and machine; psql runs the other methods' queries. Installs
# postgresql-15 with apt-get when run as root and it is missing. Leaves nothing behind: both clusters live in a
# temporary folder removed at exit, also on failure or Ctrl-C.
set -euo pipefail

rows=10000000
writes=1000
seconds=20
diff_rows=10
parts=sweep,writes,incremental,diff
while [ $# -gt 0 ]; do
  case "$1" in
    --rows) rows="$2"; shift 2 ;;
    --writes) writes="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --diff-rows) diff_rows="$2"; shift 2 ;;
    --only) parts="$2"; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "bench-verify: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
part() { [[ ",$parts," == *",$1,"* ]]; }

bench=bench-verify
repo="$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=lib/pg15-bench.sh
. "$repo/scripts/lib/pg15-bench.sh"
bench_require pgbench
bench_build
bench_workdir

pub_port=$(free_port)
sub_port=$(free_port)
for c in pub sub; do
  port=$pub_port; [ $c = sub ] && port=$sub_port
  bench_cluster $c $port <<CONF
wal_level = logical
max_wal_size = 16GB
shared_buffers = 512MB
maintenance_work_mem = 256MB
CONF
done
P="postgresql://postgres@127.0.0.1:$pub_port/bench"
S="postgresql://postgres@127.0.0.1:$sub_port/bench"
psql_p() { "$pgbin/psql" -X -q -v ON_ERROR_STOP=1 "$P" "$@"; }
psql_s() { "$pgbin/psql" -X -q -v ON_ERROR_STOP=1 "$S" "$@"; }
best() { python3 -c "print(f'{min($1, $2):.2f}')"; }
# Times a command twice and prints the faster run: the first may pay for a cold cache.
time_best() {
  local t0 a b
  t0=$(now); "$@" >/dev/null; a=$(secs "$t0" "$(now)")
  t0=$(now); "$@" >/dev/null; b=$(secs "$t0" "$(now)")
  best "$a" "$b"
}

load='CREATE TABLE t (id bigint PRIMARY KEY, a int NOT NULL, b text, c timestamptz, d numeric(12,2));
INSERT INTO t SELECT i, i % 1000, md5(i::text) || md5((i + 1)::text), timestamptz '"'"'2026-01-01 00:00+00'"'"' + i * interval '"'"'1 s'"'"', i / 7.0 FROM generate_series(1, '"$rows"') i;
VACUUM ANALYZE t;'
for port in $pub_port $sub_port; do
  "$pgbin/psql" -X -q "postgresql://postgres@127.0.0.1:$port/postgres" -c "CREATE DATABASE bench"
done
log "loading $rows rows into the publisher and the same rows into the subscriber"
psql_p <<<"$load" &
psql_s <<<"$load"
wait
log "table: $(psql_p -At -c "SELECT pg_size_pretty(pg_total_relation_size('t'))")"

pgferry guard install --dsn "$P" >/dev/null
pgferry guard install --dsn "$S" >/dev/null
report="$work/report.txt"
echo "pgferry verification benchmark: $rows rows ($(psql_p -At -c "SELECT pg_size_pretty(pg_total_relation_size('t'))")), PostgreSQL 15, $(nproc) cores" >"$report"

# --- 1. Full sweep ------------------------------------------------------------------------------------------------
if part sweep; then
  buckets=$((rows / 1000))
  log "sweep 1/4: SELECT count(*) FROM t"
  psql_p -At -c "SELECT count(*) FROM t" >/dev/null
  t_count=$(time_best psql_p -At -c "SELECT count(*) FROM t")

  log "sweep 2/4: pgferry guard run --once (register, then sweep $buckets buckets of 1000 keys)"
  sweep() {
    psql_p -c "SELECT syncguard.register_table('public', 't', 1000)" >/dev/null
    pgferry guard run --once --dsn "$P"
  }
  t_pgferry=$(time_best sweep)

  # Two floors of pgferry's sweep, each one parallel query as count(*) is: the canonical row hash of every row
  # (syncguard version 3's expression for t, columns by name; RowHashes), summed without buckets, which is what any
  # method must spend that hashes every column in SQL; and the rows grouped into the same buckets, counted, without
  # hashes. The first is checked against the catalog the sweep just made: both sums must agree modulo 2^64.
  rowhash="COALESCE(hashint4extended(r.a, 1), -1) # COALESCE(hashtextextended(r.b, 2), -2)
    # COALESCE(timestamp_hash_extended(timezone('UTC', r.c), 3), -3) # COALESCE(hash_numeric_extended(r.d, 4), -4)
    # COALESCE(hashint8extended(r.id, 5), -5)"
  hashsum="SELECT mod(mod(sum($rowhash), 18446744073709551616) + 18446744073709551616, 18446744073709551616) FROM t r"
  catalog="SELECT mod(mod(sum(bucket_hash), 18446744073709551616) + 18446744073709551616, 18446744073709551616)
    FROM syncguard.bucket_catalog"
  if [ "$(psql_p -At -c "$hashsum")" != "$(psql_p -At -c "$catalog")" ]; then
    log "the row hash of the floor query is not the sweep's (RowHashes changed?): fix rowhash in $0"
    exit 1
  fi
  log "sweep floors: the row hashes alone, summed; the rows grouped into buckets alone, counted"
  t_hashes=$(time_best psql_p -At -c "$hashsum")
  t_grouping=$(time_best psql_p -At -c "SELECT count(*) FROM (SELECT id / 1000, count(*) FROM t GROUP BY 1) g")

  log "sweep 3/4: data-diff's checksum query (count and sum of a 48-bit md5 slice per segment, one query)"
  datadiff="SELECT id / 1000 AS segment, count(*), sum(('x' || substr(md5(concat(id, a, b, c, d)), 21))::bit(48)::bigint) FROM t GROUP BY 1"
  t_datadiff=$(time_best psql_p -At -c "$datadiff")

  log "sweep 4/4: pg-sync-guard's worker query, once per bucket ($buckets queries)"
  python3 - "$buckets" >"$work/seed.sql" <<'PY'
import sys
for b in range(int(sys.argv[1]) + 1):
    lo = b * 1000
    print(f"SELECT md5(string_agg(md5(row_to_json(t)::text), '' ORDER BY id)) FROM t WHERE id >= {lo} AND id < {lo + 1000};")
PY
  t0=$(now)
  psql_p -At -f "$work/seed.sql" >/dev/null
  t_seed=$(secs "$t0" "$(now)")
  cat >>"$report" <<REPORT

full sweep of the table                          seconds   ratio
  count(*)                                        $(printf '%7s' "$t_count")   $(ratio "$t_pgferry" "$t_count")x  pgferry / count(*)   (target <= 3)
  pgferry guard run --once                        $(printf '%7s' "$t_pgferry")
    floor: the row hashes alone, no buckets       $(printf '%7s' "$t_hashes")   $(ratio "$t_hashes" "$t_count")x  count(*)
    floor: the buckets alone, no hashes           $(printf '%7s' "$t_grouping")   $(ratio "$t_grouping" "$t_count")x  count(*)
  data-diff checksum query                        $(printf '%7s' "$t_datadiff")   $(ratio "$t_datadiff" "$t_pgferry")x  data-diff / pgferry (target >= 1)
  pg-sync-guard per-bucket query ($buckets)     $(printf '%7s' "$t_seed")   $(ratio "$t_seed" "$t_pgferry")x  seed / pgferry      (target >= 2)
REPORT
fi

# --- 2. Write overhead ---------------------------------------------------------------------------------------------
if part writes; then
  log "write overhead: pgbench, single-row UPDATE and INSERT, $seconds s per run, 2 clients, unregistered vs registered"
  psql_p <<'SQL'
CREATE TABLE w (id bigint PRIMARY KEY, a int NOT NULL, b text);
INSERT INTO w SELECT i, 0, md5(i::text) FROM generate_series(1, 1000000) i;
CREATE TABLE wi (id bigserial PRIMARY KEY, a int NOT NULL, b text);
VACUUM ANALYZE w;
SQL
  cat >"$work/write.sql" <<'SQL'
\set id random(1, 1000000)
UPDATE w SET a = a + 1 WHERE id = :id;
INSERT INTO wi (a, b) VALUES (:id, 'x');
SQL
  tps() {
    "$pgbin/pgbench" -n -c 2 -j 2 -T "$seconds" -f "$work/write.sql" "$P" 2>&1 | \
      sed -n 's/^tps = \([0-9.]*\) .*/\1/p'
  }
  register_w() { psql_p -c "SELECT syncguard.register_table('public', 'w', 1000), syncguard.register_table('public', 'wi', 1000)" >/dev/null; }
  unregister_w() { psql_p -c "SELECT syncguard.unregister_table('public', 'w'), syncguard.unregister_table('public', 'wi')" >/dev/null; }
  plain1=$(tps); register_w; guarded1=$(tps); unregister_w; plain2=$(tps); register_w; guarded2=$(tps); unregister_w
  plain=$(python3 -c "print(f'{($plain1 + $plain2) / 2:.0f}')")
  guarded=$(python3 -c "print(f'{($guarded1 + $guarded2) / 2:.0f}')")
  cat >>"$report" <<REPORT

write overhead (pgbench, UPDATE + INSERT per transaction, 2 clients, ${seconds} s x 2 each)
  unregistered        $plain tps ($plain1, $plain2)
  registered          $guarded tps ($guarded1, $guarded2)
  slowdown            $(python3 -c "print(f'{100 * (1 - $guarded / $plain):.1f}')") %  (target <= 15 %)
REPORT
fi

# --- 3. Incremental verify -----------------------------------------------------------------------------------------
if part incremental; then
  log "incremental: native subscription, both sides swept, a worker per side, $writes random writes, then verify"
  psql_p -c "CREATE PUBLICATION bench_pub FOR TABLE t" >/dev/null
  for d in "$P" "$S"; do
    "$pgbin/psql" -X -q "$d" -c "SELECT syncguard.register_table('public', 't', 1000)" >/dev/null
  done
  t0=$(now)
  pgferry guard run --once --dsn "$P" --dsn "$S" >/dev/null
  t_sweep_both=$(secs "$t0" "$(now)")
  psql_s -c "CREATE SUBSCRIPTION bench_sub CONNECTION 'host=127.0.0.1 port=$pub_port dbname=bench user=postgres' PUBLICATION bench_pub WITH (copy_data = false)" >/dev/null
  # The launcher itself, not the pgferry function: $! must be the process that becomes the JVM (the launcher execs
  # java), or the cleanup kills a subshell and leaves the worker running.
  "$repo/pgferry" guard run --dsn "$P" --dsn "$S" >"$work/worker.log" 2>&1 &
  bench_pids="$bench_pids $!"
  pgferry verify --publisher-dsn "$P" --subscriber-dsn "$S" --consistency-mode lsn-barrier >"$work/verify-before.log" || \
    { log "verify before the writes did not pass"; cat "$work/verify-before.log" >&2; exit 1; }
  cat >"$work/random.sql" <<SQL
\\set id random(1, $rows)
UPDATE t SET a = a + 1 WHERE id = :id;
SQL
  "$pgbin/pgbench" -n -c 2 -j 2 -t $((writes / 2)) -f "$work/random.sql" "$P" >"$work/pgbench-random.log" 2>&1
  t0=$(now)
  pgferry verify --publisher-dsn "$P" --subscriber-dsn "$S" --consistency-mode lsn-barrier -v >"$work/verify-after.log" 2>&1 || \
    { log "verify after the writes did not pass"; cat "$work/verify-after.log" >&2; exit 1; }
  t_incremental=$(secs "$t0" "$(now)")
  psql_s -c "DROP SUBSCRIPTION bench_sub" >/dev/null
  cat >>"$report" <<REPORT

incremental verify after $writes random writes   $(printf '%7s' "$t_incremental") s  (target < 2 s; lsn-barrier, a worker per side running)
  (both sides' initial sweep by one guard run --once: $t_sweep_both s)
REPORT
fi

# --- 4. diff -------------------------------------------------------------------------------------------------------
if part diff; then
  log "diff: $diff_rows rows changed on the subscriber, pgferry diff against count(*)"
  python3 - "$rows" "$diff_rows" >"$work/damage.sql" <<'PY'
import random, sys
rows, n = int(sys.argv[1]), int(sys.argv[2])
rnd = random.Random(6)
for i in range(n):
    k = rnd.randint(1, rows)
    kind = i % 3
    if kind == 0:
        print(f"UPDATE t SET b = 'changed' WHERE id = {k};")
    elif kind == 1:
        print(f"DELETE FROM t WHERE id = {k};")
    else:
        print(f"INSERT INTO t VALUES ({rows + 1 + i}, 0, 'extra', now(), 0);")
PY
  psql_s -f "$work/damage.sql" >/dev/null
  t0=$(now)
  diff_exit=0
  pgferry diff --source "$P" --target "$S" --table public.t >"$work/diff.log" 2>&1 || diff_exit=$?
  t_diff=$(secs "$t0" "$(now)")
  [ "$diff_exit" = 1 ] || { log "diff exited $diff_exit, not 1"; cat "$work/diff.log" >&2; exit 1; }
  found=$(grep -o '[0-9]* row(s) differ' "$work/diff.log" | cut -d' ' -f1)
  t_count_sub=$(time_best psql_s -At -c "SELECT count(*) FROM t")
  cat >>"$report" <<REPORT

diff of $rows rows, $diff_rows rows changed   $(printf '%7s' "$t_diff") s, found $found; count(*) of one side $t_count_sub s, ratio $(ratio "$t_diff" "$t_count_sub")x
REPORT
fi

echo
cat "$report"
