#!/usr/bin/env bash
# Sync benchmark: pgferry's initial copy, catch-up and lag against PostgreSQL's own tools and pgcopydb, in one run,
# on two local PostgreSQL 15 clusters (Debian's packages: pg_dump 0.10's pgcopydb and Debian's pg_dump both speak 15).
#
#   scripts/bench-sync.sh [--rows N] [--jobs N] [--changes N] [--lag-seconds N] [--rate TPS] [--skip-copy | --copy-only]
#
#   --rows N         rows in the four source tables together (default 10000000, about 1.3 GB with indexes)
#   --jobs N         parallel jobs for every tool: pgferry --workers, pgcopydb --table-jobs/--index-jobs, the
#                    native subscription's max_sync_workers_per_subscription (default 4)
#   --changes N      changes for the catch-up test, 5 per transaction (default 1000000)
#   --lag-seconds N  length of the steady-load lag test (default 30), after 5 s of load not counted (warm-up)
#   --rate TPS       transactions per second of that load (default 1000)
#   --skip-copy      only the catch-up and lag tests
#   --copy-only      only the initial copy tests
#   BENCH_KEEP_LOGS=DIR  keeps the tools' and servers' logs in DIR
#
# Every figure comes from this run; ratios compare tools on the same data and the same machine. Installs
# postgresql-15 and pgcopydb with apt-get when run as root and they are missing. Leaves nothing behind: both
# clusters live in a temporary folder removed at exit, also on failure or Ctrl-C.
set -euo pipefail

rows=10000000
jobs=4
changes=1000000
lag_seconds=30
lag_warmup=5
rate=1000
skip_copy=false
copy_only=false
while [ $# -gt 0 ]; do
  case "$1" in
    --rows) rows="$2"; shift 2 ;;
    --jobs) jobs="$2"; shift 2 ;;
    --changes) changes="$2"; shift 2 ;;
    --lag-seconds) lag_seconds="$2"; shift 2 ;;
    --rate) rate="$2"; shift 2 ;;
    --skip-copy) skip_copy=true; shift ;;
    --copy-only) copy_only=true; shift ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "bench-sync: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

bench=bench-sync
repo="$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=lib/pg15-bench.sh
. "$repo/scripts/lib/pg15-bench.sh"
bench_require pgcopydb pgbench pg_recvlogical
bench_build
bench_workdir

src_port=$(free_port)
dst_port=$(free_port)
for c in src dst; do
  port=$src_port; [ $c = dst ] && port=$dst_port
  bench_cluster $c $port <<CONF
wal_level = logical
max_wal_size = 16GB
min_wal_size = 4GB
shared_buffers = 512MB
maintenance_work_mem = 256MB
max_replication_slots = 20
max_wal_senders = 20
max_worker_processes = 16
max_logical_replication_workers = 8
max_sync_workers_per_subscription = $jobs
CONF
done
S="postgresql://postgres@127.0.0.1:$src_port/bench"
T="postgresql://postgres@127.0.0.1:$dst_port/bench"
T2="postgresql://postgres@127.0.0.1:$dst_port/bench2"
psql_s() { "$pgbin/psql" -X -q -v ON_ERROR_STOP=1 "$S" "$@"; }
psql_t() { "$pgbin/psql" -X -q -v ON_ERROR_STOP=1 "$T" "$@"; }
psql_admin() { "$pgbin/psql" -X -q -v ON_ERROR_STOP=1 "postgresql://postgres@127.0.0.1:$1/postgres" -c "$2"; }

psql_admin "$src_port" "CREATE DATABASE bench"
big=$((rows / 2)); mid=$((rows * 3 / 10)); small=$((rows * 3 / 20)); tiny=$((rows - big - mid - small))
log "loading $rows rows into the source (big $big, mid $mid, small $small, tiny $tiny)"
psql_s <<EOF
CREATE TABLE big (id bigint PRIMARY KEY, a int NOT NULL, b text, c timestamptz, d numeric(12,2));
CREATE TABLE mid (id bigint PRIMARY KEY, a int NOT NULL, b text, c timestamptz);
CREATE TABLE small (id bigint PRIMARY KEY, a int NOT NULL, b text);
CREATE TABLE tiny (id bigserial PRIMARY KEY, a int NOT NULL, b text);
CREATE TABLE lagt (id bigserial PRIMARY KEY, created_at timestamptz NOT NULL);
INSERT INTO big SELECT i, i % 1000, md5(i::text) || md5((i + 1)::text), '2026-01-01'::timestamptz + i * interval '1 s', i / 7.0 FROM generate_series(1, $big) i;
INSERT INTO mid SELECT i, i % 100, md5(i::text), '2026-01-01'::timestamptz + i * interval '1 s' FROM generate_series(1, $mid) i;
INSERT INTO small SELECT i, i % 10, md5(i::text) FROM generate_series(1, $small) i;
INSERT INTO tiny (a, b) SELECT i % 10, md5(i::text) FROM generate_series(1, $tiny) i;
CREATE INDEX big_a ON big (a);
CREATE INDEX big_c ON big (c);
CREATE INDEX mid_a ON mid (a);
CREATE INDEX small_b ON small (b);
VACUUM ANALYZE;
EOF
# The load's dirty pages are written now, not during the first tool's run.
psql_s -c CHECKPOINT >/dev/null
# An untimed copy first: the first tool to run paid for bringing both clusters to their steady state (the target
# creating and zero-filling its WAL segments, kept afterwards by min_wal_size; caches), 2 to 6 s of a 12 s copy.
if [ "$skip_copy" = false ]; then
  log "warm-up: an untimed pg_dump | pg_restore into the target"
  psql_admin "$dst_port" "CREATE DATABASE warmup"
  "$pgbin/pg_dump" -Fc -d "$S" | "$pgbin/pg_restore" -d "postgresql://postgres@127.0.0.1:$dst_port/warmup"
  psql_admin "$dst_port" "DROP DATABASE warmup"
  psql_admin "$dst_port" "CHECKPOINT"
fi
size=$(psql_s -At -c "SELECT pg_size_pretty(pg_database_size('bench'))")
log "source database: $size"

fresh_target() {
  psql_admin "$dst_port" "DROP DATABASE IF EXISTS bench WITH (FORCE)"
  psql_admin "$dst_port" "CREATE DATABASE bench"
  psql_admin "$dst_port" "CHECKPOINT"
}
check_counts() {
  local got
  got=$(psql_t -At -c "SELECT (SELECT count(*) FROM big) + (SELECT count(*) FROM mid) + (SELECT count(*) FROM small) + (SELECT count(*) FROM tiny)")
  [ "$got" = "$rows" ] || { log "$1: the target holds $got rows, not $rows"; exit 1; }
}

declare -A copy_time copy_cpu
# copy_cpu_start / copy_cpu_end TOOL: the CPU seconds of a copy's processes (source, target, the client's own), as
# "source target client" in copy_cpu[TOOL].
copy_cpu_start() {
  cluster_settle src; cluster_settle dst
  cc_src=$(cluster_cpu src); cc_dst=$(cluster_cpu dst); children_cpu cc_cli
}
copy_cpu_end() {
  local cli
  children_cpu cli
  cluster_settle src; cluster_settle dst
  copy_cpu[$1]="$(secs "$cc_src" "$(cluster_cpu src)") $(secs "$cc_dst" "$(cluster_cpu dst)") $(secs "$cc_cli" "$cli")"
}
if [ "$skip_copy" = false ]; then
  log "copy 1a/4: pgferry sync --copy-mode snapshot --workers $jobs --until-caught-up"
  fresh_target
  copy_cpu_start
  t0=$(now)
  pgferry sync --source "$S" --target "$T" --workers "$jobs" --until-caught-up --slot bench_copy --verbose \
    --publication bench_copy >"$work/pgferry-copy.log" 2>&1 || { cat "$work/pgferry-copy.log" >&2; exit 1; }
  copy_time[pgferry]=$(secs "$t0" "$(now)")
  copy_cpu_end pgferry
  check_counts pgferry
  psql_s -c "SELECT pg_drop_replication_slot('bench_copy')" -c "DROP PUBLICATION bench_copy" >/dev/null

  log "copy 1b/4: pgferry sync --copy-mode chunked --workers $jobs --until-caught-up"
  fresh_target
  copy_cpu_start
  t0=$(now)
  pgferry sync --source "$S" --target "$T" --workers "$jobs" --until-caught-up --slot bench_chunked --verbose \
    --publication bench_chunked --copy-mode chunked >"$work/pgferry-chunked.log" 2>&1 || \
    { cat "$work/pgferry-chunked.log" >&2; exit 1; }
  copy_time[chunked]=$(secs "$t0" "$(now)")
  copy_cpu_end chunked
  check_counts chunked
  psql_s -c "SELECT pg_drop_replication_slot('bench_chunked')" -c "DROP PUBLICATION bench_chunked" >/dev/null

  log "copy 2/4: pg_dump -Fc | pg_restore"
  fresh_target
  copy_cpu_start
  t0=$(now)
  "$pgbin/pg_dump" -Fc -d "$S" | "$pgbin/pg_restore" -d "$T"
  copy_time[pg_dump]=$(secs "$t0" "$(now)")
  copy_cpu_end pg_dump
  check_counts pg_dump

  log "copy 3/4: CREATE SUBSCRIPTION ... copy_data = true, until every table is ready"
  fresh_target
  "$pgbin/pg_dump" --schema-only -d "$S" | psql_t >/dev/null
  psql_s -c "CREATE PUBLICATION bench_native FOR TABLE big, mid, small, tiny, lagt" >/dev/null
  copy_cpu_start
  t0=$(now)
  psql_t -c "CREATE SUBSCRIPTION bench_native CONNECTION 'host=127.0.0.1 port=$src_port dbname=bench user=postgres' PUBLICATION bench_native WITH (copy_data = true)" >/dev/null
  until [ "$(psql_t -At -c "SELECT count(*) FROM pg_subscription_rel WHERE srsubstate <> 'r'")" = 0 ] && \
        [ "$(psql_t -At -c "SELECT count(*) FROM pg_subscription_rel")" -gt 0 ]; do sleep 0.2; done
  copy_time[native]=$(secs "$t0" "$(now)")
  check_counts native
  psql_t -c "DROP SUBSCRIPTION bench_native" >/dev/null
  copy_cpu_end native
  psql_s -c "DROP PUBLICATION bench_native" >/dev/null

  log "copy 4/4: pgcopydb clone --table-jobs $jobs --index-jobs $jobs"
  fresh_target
  copy_cpu_start
  t0=$(now)
  as_pg env TMPDIR="$work" pgcopydb clone --source "$S" --target "$T" --dir "$work/pgcopydb" \
    --table-jobs "$jobs" --index-jobs "$jobs" --split-tables-larger-than 100MB >"$work/pgcopydb.log" 2>&1 || \
    { tail -20 "$work/pgcopydb.log" >&2; exit 1; }
  copy_time[pgcopydb]=$(secs "$t0" "$(now)")
  copy_cpu_end pgcopydb
  check_counts pgcopydb
fi

print_copy() {
  echo
  echo "initial copy (seconds; speedup = other's time / pgferry's, for each copy mode)"
  printf '  %-42s %8s %10s %10s\n' tool seconds "snapshot" "chunked"
  for tool in pgferry chunked pg_dump native pgcopydb; do
    case $tool in
      pgferry) name="pgferry sync --copy-mode snapshot" ;;
      chunked) name="pgferry sync --copy-mode chunked" ;;
      pg_dump) name="pg_dump -Fc | pg_restore" ;;
      native) name="CREATE SUBSCRIPTION (copy_data, to ready)" ;;
      pgcopydb) name="pgcopydb clone" ;;
    esac
    printf '  %-42s %8s %10s %10s\n' "$name" "${copy_time[$tool]}" \
      "$(ratio "${copy_time[$tool]}" "${copy_time[pgferry]}")" "$(ratio "${copy_time[$tool]}" "${copy_time[chunked]}")"
  done
  echo
  echo "CPU seconds of each copy (client: pgferry's JVM, pg_dump and pg_restore, pgcopydb; floor = sum / $(nproc) cores)"
  printf '  %-42s %8s %8s %8s %8s %8s\n' tool source target client sum floor
  local src dst cli sum
  for tool in pgferry chunked pg_dump native pgcopydb; do
    read -r src dst cli <<<"${copy_cpu[$tool]}"
    sum=$(python3 -c "print(f'{$src + $dst + $cli:.2f}')")
    printf '  %-42s %8s %8s %8s %8s %8s\n' "$tool" "$src" "$dst" "$cli" "$sum" "$(python3 -c "print(f'{$sum / $(nproc):.2f}')")"
  done
}
if [ "$copy_only" = true ]; then
  echo
  echo "pgferry sync benchmark: PostgreSQL $("$pgbin/postgres" -V | awk '{print $3}'), $(nproc) cores, $rows rows ($size), $jobs jobs"
  print_copy
  exit 0
fi

log "catch-up: two identical targets, one slot position, $changes changes"
fresh_target
"$pgbin/pg_dump" -Fc -d "$S" | "$pgbin/pg_restore" -d "$T"
psql_t -c "ALTER TABLE lagt ADD COLUMN applied_at timestamptz DEFAULT clock_timestamp()" >/dev/null
psql_admin "$dst_port" "DROP DATABASE IF EXISTS bench2 WITH (FORCE)"
psql_admin "$dst_port" "CREATE DATABASE bench2 TEMPLATE bench"
psql_s -c "CREATE PUBLICATION bench_cu FOR TABLE big, mid, small, tiny, lagt" \
  -c "SELECT pg_create_logical_replication_slot('cu_template', 'pgoutput')" >/dev/null
cat >"$work/mix.sql" <<EOF
\set r1 random(1, $big)
\set r2 random(1, $mid)
\set r3 random(1, $small)
\set r4 random(1, $big)
BEGIN;
UPDATE big SET a = a + 1 WHERE id = :r1;
UPDATE mid SET b = md5(b) WHERE id = :r2;
INSERT INTO tiny (a, b) VALUES (:r3 % 10, 'inserted');
DELETE FROM small WHERE id = :r3;
UPDATE big SET c = now() WHERE id = :r4;
COMMIT;
EOF
per_client=$((changes / 5 / 2))
"$pgbin/pgbench" -n -c 2 -j 2 -t "$per_client" -f "$work/mix.sql" "$S" >"$work/pgbench-mix.log" 2>&1
generated=$((per_client * 2 * 5))
end_lsn=$(psql_s -At -c "SELECT pg_current_wal_lsn()")
psql_s -c "SELECT pg_copy_logical_replication_slot('cu_template', 'cu_pgferry')" \
  -c "SELECT pg_copy_logical_replication_slot('cu_template', 'cu_native')" \
  -c "SELECT pg_copy_logical_replication_slot('cu_template', 'cu_decode')" \
  -c "SELECT pg_drop_replication_slot('cu_template')" >/dev/null

log "catch-up 0/2: decoding alone (pg_recvlogical to /dev/null), the floor for every consumer"
cu_decode=$(bench_decode cu_decode bench_cu "$end_lsn")

log "catch-up 1/2: pgferry sync --copy-mode none --until-caught-up"
# The source's walsender and the target's client backends, sampled: autovacuum, which the changes wake on the target,
# is left out, as it is from the subscription's apply worker.
cpu_sampler_start src 'walsender'
cpu_sampler_start dst '^postgres: postgres bench '
children_cpu cpu_jvm0
t0=$(now)
JAVA_OPTS="${CATCHUP_JAVA_OPTS:-${JAVA_OPTS:-}}" pgferry sync --source "$S" --target "$T" --copy-mode none --until-caught-up --slot cu_pgferry --verbose \
  --publication bench_cu >"$work/pgferry-catchup.log" 2>&1 || { cat "$work/pgferry-catchup.log" >&2; exit 1; }
cu_pgferry=$(secs "$t0" "$(now)")
children_cpu cpu_jvm1
cluster_settle src; cluster_settle dst
cpu_sampler_stop pg_cpu_src src; cpu_sampler_stop pg_cpu_dst dst
pg_cpu_jvm=$(secs "$cpu_jvm0" "$cpu_jvm1")

log "catch-up 2/2: native subscription on a copy of the slot"
t0=$(now)
"$pgbin/psql" -X -q -v ON_ERROR_STOP=1 "$T2" -c "CREATE SUBSCRIPTION cu_native CONNECTION 'host=127.0.0.1 port=$src_port dbname=bench user=postgres' PUBLICATION bench_cu WITH (copy_data = false, create_slot = false, slot_name = 'cu_native')" >/dev/null
until [ "$("$pgbin/psql" -X -At "$T2" -c "SELECT coalesce(bool_and(remote_lsn >= '$end_lsn'), false) FROM pg_replication_origin_status")" = t ]; do
  sleep 0.1
done
cu_native=$(secs "$t0" "$(now)")
# Both of the subscription's processes keep running (for the lag test): their CPU is read from them.
nat_cpu_dst=$(pid_cpu "$("$pgbin/psql" -X -At "$T2" -c "SELECT pid FROM pg_stat_subscription WHERE subname = 'cu_native' AND relid IS NULL")")
nat_cpu_src=$(pid_cpu "$(psql_s -At -c "SELECT active_pid FROM pg_replication_slots WHERE slot_name = 'cu_native'")")
for t in big mid small tiny; do
  a=$(psql_t -At -c "SELECT md5(string_agg(t::text, ',' ORDER BY id)) FROM $t t")
  b=$("$pgbin/psql" -X -At "$T2" -c "SELECT md5(string_agg(t::text, ',' ORDER BY id)) FROM $t t")
  [ "$a" = "$b" ] || { log "catch-up: table $t differs between the pgferry and the native target"; exit 1; }
done

log "lag: $rate transactions/s for $lag_seconds s, pgferry and the native subscription applying the same load"
"$repo/pgferry" sync --source "$S" --target "$T" --copy-mode none --follow --slot cu_pgferry \
  --publication bench_cu >"$work/pgferry-follow.log" 2>&1 &
follower=$!
bench_pids="$bench_pids $follower"
until [ "$(psql_s -At -c "SELECT active FROM pg_replication_slots WHERE slot_name = 'cu_pgferry'")" = t ]; do
  kill -0 "$follower" 2>/dev/null || { cat "$work/pgferry-follow.log" >&2; exit 1; }
  sleep 0.2
done
echo 'INSERT INTO lagt (created_at) VALUES (clock_timestamp());' >"$work/lag.sql"
# The load runs $lag_warmup s longer than measured: the first seconds, while pgferry's JVM compiles its hot code
# and opens its target session, are reported apart, as their worst lag, not in the steady-state percentiles.
"$pgbin/pgbench" -n -c 2 -j 2 -R "$rate" -T "$((lag_seconds + lag_warmup))" -f "$work/lag.sql" "$S" \
  >"$work/pgbench-lag.log" 2>&1
expected=$(psql_s -At -c "SELECT count(*) FROM lagt")
for db in "$T" "$T2"; do
  until [ "$("$pgbin/psql" -X -At "$db" -c "SELECT count(*) FROM lagt")" = "$expected" ]; do sleep 0.2; done
done
kill "$follower"; wait "$follower" 2>/dev/null || true; follower=""
lag_query="SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FILTER (WHERE steady)::numeric, 1) || ' ' || round(percentile_cont(0.99) WITHIN GROUP (ORDER BY ms) FILTER (WHERE steady)::numeric, 1) || ' ' || round(coalesce(max(ms) FILTER (WHERE NOT steady), 0)::numeric, 1) FROM (SELECT extract(epoch FROM applied_at - created_at) * 1000 AS ms, created_at >= min(created_at) OVER () + interval '$lag_warmup s' AS steady FROM lagt) l"
read -r lag_p50 lag_p99 lag_warm <<<"$(psql_t -At -c "$lag_query")"
read -r nat_p50 nat_p99 nat_warm <<<"$("$pgbin/psql" -X -At "$T2" -c "$lag_query")"
"$pgbin/psql" -X -q "$T2" -c "DROP SUBSCRIPTION cu_native" >/dev/null

echo
echo "pgferry sync benchmark: PostgreSQL $("$pgbin/postgres" -V | awk '{print $3}'), $(nproc) cores, $rows rows ($size), $jobs jobs"
if [ "$skip_copy" = false ]; then
  print_copy
fi
echo
echo "catch-up of $generated changes ($((generated / 5)) transactions; seconds, changes/s; ratio = pgferry rate / native rate)"
printf '  %-42s %8s %10s %8s\n' consumer seconds changes/s ratio
printf '  %-42s %8s %10s %8s\n' "pgferry sync --copy-mode none" "$cu_pgferry" "$(python3 -c "print(int($generated / $cu_pgferry))")" "$(ratio "$cu_native" "$cu_pgferry")"
printf '  %-42s %8s %10s %8s\n' "native subscription" "$cu_native" "$(python3 -c "print(int($generated / $cu_native))")" "1.00"
printf '  %-42s %8s %10s %8s\n' "(decoding alone: pg_recvlogical)" "$cu_decode" "$(python3 -c "print(int($generated / $cu_decode))")" "-"
cores=$(nproc)
pg_cpu=$(python3 -c "print(f'{$pg_cpu_src + $pg_cpu_dst + $pg_cpu_jvm:.2f}')")
nat_cpu=$(python3 -c "print(f'{$nat_cpu_src + $nat_cpu_dst:.2f}')")
# Neither consumer can finish sooner than its processes' CPU shared by the cores, nor than its busiest target
# process, which does its share of the work in order (one of pgferry's two apply backends, the subscription's apply
# worker).
pg_floor=$(python3 -c "print(f'{max($pg_cpu / $cores, $pg_cpu_dst_max):.2f}')")
nat_floor=$(python3 -c "print(f'{max($nat_cpu / $cores, $nat_cpu_dst):.2f}')")
echo
echo "CPU seconds of the catch-up (floor = the larger of the sum / $cores cores and the busiest target process's; best = native's time / pgferry's floor)"
printf '  %-42s %8s %8s %8s %8s %8s %8s\n' consumer source target pgferry sum floor best
printf '  %-42s %8s %8s %8s %8s %8s %8s\n' "pgferry sync (walsender, backends, JVM)" "$pg_cpu_src" "$pg_cpu_dst" "$pg_cpu_jvm" \
  "$pg_cpu" "$pg_floor" "$(ratio "$cu_native" "$pg_floor")"
printf '  %-42s %8s %8s %8s %8s %8s %8s\n' "native subscription (walsender, worker)" "$nat_cpu_src" "$nat_cpu_dst" "-" \
  "$nat_cpu" "$nat_floor" "-"
echo
echo "lag at $rate transactions/s for $lag_seconds s after $lag_warmup s of warm-up (commit at the source to row at the target, ms)"
printf '  %-42s %8s %8s %14s\n' consumer p50 p99 "warm-up max"
printf '  %-42s %8s %8s %14s\n' "pgferry sync --follow" "$lag_p50" "$lag_p99" "$lag_warm"
printf '  %-42s %8s %8s %14s\n' "native subscription" "$nat_p50" "$nat_p99" "$nat_warm"
