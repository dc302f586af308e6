#!/usr/bin/env bash
# Kafka benchmark: pgferry sync into Kafka (exactly-once, and at-least-once) against Debezium's embedded engine with
# its PostgreSQL connector writing to the same broker, each from a copy of the same slot, in one run on one machine.
#
#   scripts/bench-kafka.sh [--changes N] [--rows N] [--only LIST] [--connect] [--target-options OPTS]
#                          [--worker KEY=VALUE]... [--rounds N]
#
#   --changes N    changes to deliver, 5 per transaction: 3 updates, 1 insert, 1 delete (default 1000000)
#   --rows N       rows of the updated table (default 1000000)
#   --only LIST    runs to do, of exactly-once,at-least-once,debezium (default all three) and
#                  connect,connect-json,connect-debezium,connect-eos,connect-json-eos,connect-debezium-eos
#   --connect      the six Kafka Connect runs: pgferry's source connector (records as Structs, and as JSON bytes
#                  with record.format=json) against Debezium's PostgreSQL connector on one in-JVM Connect worker,
#                  with exactly-once source support off, then on; two rounds unless --rounds says otherwise
#   --target-options OPTS  more options of pgferry's kafka:// target (opt=value&...; default none)
#   --worker KEY=VALUE     a Kafka Connect worker setting for the connect runs, the same for both connectors (e.g.
#                  producer.linger.ms=20); repeat it for more
#   --rounds N     every run N times (default 1, 2 with --connect), odd rounds in the order above and even ones
#                  reversed, each run on a copy of the slot of its own; the figures are the means of the rounds
#   BENCH_KEEP_LOGS=DIR    keeps pgferry's and the server's logs in DIR
#   BENCH_JAVA_OPTS=...    JVM options of the harness (its broker and Kafka Connect) and of Debezium's JVM
#                          (default -Xmx3g)
#
# The source is a PostgreSQL 15 cluster (wal_level = logical) with three tables and one publication. A template
# pgoutput slot is made before pgbench generates the changes and copied three times with
# pg_copy_logical_replication_slot, so every run decodes the same WAL from the same start (pg_recvlogical decodes it
# once more to /dev/null first: the floor every consumer shares). The harness
# (pgferry-bench-kafka, built with -Pbench-kafka; Debezium is a dependency of that module alone) starts a single-node
# KRaft broker in its JVM and runs: `pgferry sync --copy-mode none --until-caught-up` with the default exactly-once
# delivery and with delivery=at-least-once, each timed from start to exit; then Debezium's embedded engine (pgoutput,
# the same publication, snapshot.mode=no_data, offsets in memory) handing its records to an idempotent acks=all
# KafkaProducer, in a JVM of its own started for the run (as each pgferry run is), timed from its start until the last
# change is acknowledged. After each run it reads the topics back and checks
# every change arrived. With --connect it runs instead pgferry's source connector and Debezium's PostgreSQL connector
# on Kafka Connect's own in-JVM cluster (one worker), exactly-once source support off then on, each timed from the
# connector's creation to its last record read (read_committed), after an untimed warm-up connector has sent
# 400,000 records through each Connect cluster. It prints seconds, changes/s and pgferry's rate over Debezium's (of
# the same kind of run). Installs postgresql-15 with
# apt-get when run as root and it is missing. Leaves nothing behind: the cluster, the broker and the logs live in a
# temporary folder removed at exit, also on failure or Ctrl-C.
set -euo pipefail

changes=1000000
rows=1000000
only="exactly-once,at-least-once,debezium"
target_options=""
worker=()
rounds=""
while [ $# -gt 0 ]; do
  case "$1" in
    --changes) changes="$2"; shift 2 ;;
    --rows) rows="$2"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
    --connect) only="connect,connect-json,connect-debezium,connect-eos,connect-json-eos,connect-debezium-eos"; shift ;;
    --target-options) target_options="$2"; shift 2 ;;
    --worker) worker+=(--worker "$2"); shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    -h|--help) sed -n '2,40p' "$0"; exit 0 ;;
    *) echo "bench-kafka: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
if [ -z "$rounds" ]; then
  case "$only" in connect*) rounds=2 ;; *) rounds=1 ;; esac
fi
case "$rounds" in [1-9]) ;; *) echo "bench-kafka: --rounds takes 1 to 9, not $rounds" >&2; exit 2 ;; esac

bench=bench-kafka
repo="$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=lib/pg15-bench.sh
. "$repo/scripts/lib/pg15-bench.sh"
bench_require pgbench pg_recvlogical
bench_build
harness="$repo/pgferry-bench-kafka/target/pgferry-bench-kafka.jar"
if [ ! -f "$harness" ] || \
   [ -n "$(find "$repo/pom.xml" "$repo/pgferry-bench-kafka" "$repo/pgferry-testkit" "$repo/pgferry-connect" \
       "$repo/pgferry-kafka" "$repo/pgferry-postgres" "$repo/pgferry-core" \( -name pom.xml -o -path '*/src/main/*' \) \
       -type f -newer "$harness" -print -quit)" ]; then
  log "building the harness (mvn -q -DskipTests -Pbench-kafka package -pl pgferry-bench-kafka -am)"
  (cd "$repo" && mvn -B -q -DskipTests -Pbench-kafka package -pl pgferry-bench-kafka -am)
fi
bench_workdir

bench_logical_source

transactions=$((changes / 5 / 2 * 2))
# small holds a row for every delete, with room for transactions pgbench retries after a deadlock (each takes a
# number from the sequence).
small=$((transactions + transactions / 10 + 100))
log "source: big $rows rows, small $small rows, tiny empty"
psql_s >/dev/null <<SQL
CREATE TABLE big (id bigint PRIMARY KEY, a int NOT NULL, b text, c timestamptz, d numeric(12,2));
CREATE TABLE small (id bigint PRIMARY KEY, a int NOT NULL, b text);
CREATE TABLE tiny (id bigserial PRIMARY KEY, a int NOT NULL, b text);
CREATE SEQUENCE small_next;
INSERT INTO big SELECT i, i % 1000, md5(i::text) || md5((i + 1)::text), '2026-01-01'::timestamptz + i * interval '1 s', i / 7.0 FROM generate_series(1, $rows) i;
INSERT INTO small SELECT i, i % 10, md5(i::text) FROM generate_series(1, $small) i;
VACUUM ANALYZE;
CREATE PUBLICATION bench_kafka FOR TABLE big, small, tiny;
SELECT pg_create_logical_replication_slot('kb_template', 'pgoutput');
SQL

log "generating $changes changes ($transactions transactions of 5) with pgbench"
cat >"$work/mix.sql" <<EOF
\set r1 random(1, $rows)
\set r2 random(1, $rows)
\set r3 random(1, $rows)
BEGIN;
UPDATE big SET a = a + 1 WHERE id = :r1;
UPDATE big SET b = md5(b) WHERE id = :r2;
INSERT INTO tiny (a, b) VALUES (:r3 % 10, 'inserted');
DELETE FROM small WHERE id = (SELECT nextval('small_next'));
UPDATE big SET c = now() WHERE id = :r3;
COMMIT;
EOF
"$pgbin/pgbench" -n -c 2 -j 2 -t $((transactions / 2)) --max-tries 10 -f "$work/mix.sql" "$S" \
  >"$work/pgbench-mix.log" 2>&1 || { tail -20 "$work/pgbench-mix.log" >&2; exit 1; }
# What the slot holds, from the tables rather than from pgbench's count: every committed transaction inserted one row
# into tiny, deleted one from small and updated big three times.
inserts=$(psql_s -At -c "SELECT count(*) FROM tiny")
deletes=$(psql_s -At -c "SELECT $small - count(*) FROM small")
[ "$inserts" = "$deletes" ] || { log "pgbench: $inserts inserts but $deletes deletes"; exit 1; }
updates=$((inserts * 3))
generated=$((inserts * 5))
# The changes' dead rows are vacuumed and their dirty pages written now: otherwise autovacuum and a checkpoint ran
# during the first timed run, whichever tool it was.
psql_s -c "VACUUM ANALYZE" >/dev/null
psql_s -c CHECKPOINT >/dev/null
# A copy of the template slot for every run: kb_eos, kb_alo, kb_dbz, and kb_<run> for the Kafka Connect runs; in
# round r > 1 the same names with _r<r>.
for ((round = 1; round <= rounds; round++)); do
  for run in ${only//,/ }; do
    case "$run" in
      exactly-once) slot=kb_eos ;;
      at-least-once) slot=kb_alo ;;
      debezium) slot=kb_dbz ;;
      *) slot="kb_${run//-/_}" ;;
    esac
    [ "$round" = 1 ] || slot="${slot}_r$round"
    psql_s -c "SELECT pg_copy_logical_replication_slot('kb_template', '$slot')" >/dev/null
  done
done
psql_s -c "SELECT pg_copy_logical_replication_slot('kb_template', 'kb_decode')" >/dev/null
psql_s -c "SELECT pg_drop_replication_slot('kb_template')" >/dev/null

# The floor every consumer of the slot shares: the walsender decoding the same WAL into pgoutput messages, read by
# pg_recvlogical and thrown away (no Kafka, no JVM), before the broker starts.
end_lsn=$(psql_s -At -c "SELECT pg_current_wal_insert_lsn()")
log "decoding alone (pg_recvlogical to /dev/null), the floor for every consumer"
decode=$(bench_decode kb_decode bench_kafka "$end_lsn")

log "running the harness: $generated changes, runs $only, $rounds round(s)"
# shellcheck disable=SC2086
java ${BENCH_JAVA_OPTS:--Xmx3g} -Djava.io.tmpdir="$work" -jar "$harness" --source "$S" --publication bench_kafka \
  --slot-exactly-once kb_eos --slot-at-least-once kb_alo --slot-debezium kb_dbz \
  --expect "public.big:u:$updates" --expect "public.tiny:c:$inserts" --expect "public.small:d:$deletes" \
  --pgferry "$repo/pgferry" --target-options "$target_options" --log-dir "$work" --only "$only" --rounds "$rounds" "${worker[@]}" >"$work/result.txt" || \
  { log "the harness exited with status $?"; exit 1; }

echo
echo "pgferry Kafka benchmark: PostgreSQL $("$pgbin/postgres" -V | awk '{print $3}'), $(nproc) cores, $generated changes ($inserts transactions of 5), big $rows rows"
cat "$work/result.txt"
printf '  %-60s %8s %10s\n' "(decoding alone: pg_recvlogical to /dev/null)" "$decode" \
  "$(python3 -c "print(int($generated / $decode))")"
