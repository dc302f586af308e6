#!/usr/bin/env bash
# Scanning benchmark: the bundled rules on made-up values (pgferry rules bench), then, on the same WAL in one run,
# pgferry scan --until-caught-up against pgferry stream --until-caught-up --output /dev/null, and a --snapshot scan
# of the existing rows.
#
#   scripts/bench-scan.sh [--rows N] [--repetitions N]
#
#   --rows N          rows inserted (and then scanned as existing rows) (default 1000000)
#   --repetitions N   stream/scan pairs, each on slots of its own created before the rows (default 2)
#   BENCH_KEEP_LOGS=DIR  keeps the tools' and server's logs in DIR
#
# The rows are mixed text, one in twenty carrying a sensitive value (card, e-mail, phone, SSN, IBAN, access key) in
# one of three text columns, inserted 10,000 per transaction. Every slot is created before the rows, so every run
# reads the same WAL; the runs alternate (stream, scan, scan, stream, ...) so that neither always has the warmer
# cache. Figures are whole commands (JVM start included); findings go to a JSON-lines file, every one of them
# (--dedup-window 0s: the values repeat, and deduplication would otherwise write each only once). The source is a
# PostgreSQL 15 cluster from Debian's packages (installed with apt-get when run as root and missing).
set -euo pipefail

rows=1000000
reps=2
while [ $# -gt 0 ]; do
  case "$1" in
    --rows) rows="$2"; shift 2 ;;
    --repetitions) reps="$2"; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "bench-scan: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

bench=bench-scan
repo="$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=lib/pg15-bench.sh
. "$repo/scripts/lib/pg15-bench.sh"
bench_require
bench_build
bench_workdir
export PGFERRY_STATE_DIR="$work/state"

log "rules bench: bundled rules on 100000 made-up values"
pgferry rules bench --generate 100000 | tee "$work/rules-bench.log"

bench_logical_source
psql_s -c "CREATE TABLE t (id bigint PRIMARY KEY, name text, note text, comment text)"

log "creating $reps stream slots and $reps scan slots before the rows"
for r in $(seq 1 "$reps"); do
  pgferry stream --source "$S" --tables public.t --slot "stream_$r" --until-caught-up --output /dev/null \
    --checkpoint "$work/stream_$r.ckpt" >"$work/setup-stream-$r.log" 2>&1
  pgferry scan --source "$S" --tables public.t --slot "scan_$r" --until-caught-up --channel "jsonl:$work/setup.jsonl" \
    --checkpoint "$work/scan_$r.ckpt" >"$work/setup-scan-$r.log" 2>&1
done

log "inserting $rows rows, 10000 per transaction"
psql_s <<SQL
CREATE PROCEDURE fill(n bigint) LANGUAGE plpgsql AS \$\$
DECLARE
  s text[] := ARRAY['card 4111 1111 1111 1111', 'mail jane.doe@example.com', 'call +44 20 7946 0958',
                    'ssn 123-45-6789', 'iban DE89 3704 0044 0532 0130 00', 'key AKIAIOSFODNN7EXAMPLE'];
  lo bigint := 1;
BEGIN
  WHILE lo <= n LOOP
    INSERT INTO t
    SELECT i,
      'customer ' || (i % 9973) || ' of region ' || (i % 17),
      CASE WHEN i % 20 = 0 AND i % 3 = 0 THEN 'note: ' || s[1 + (i / 20) % 6] || ' noted by support'
           ELSE 'order ' || i || ' shipped to warehouse ' || (i % 97) || ', thanks for your patience' END,
      CASE WHEN i % 20 = 0 AND i % 3 <> 0 THEN 'reply ' || s[1 + (i / 20) % 6]
           ELSE 'delivered ' || md5(i::text) || ' at dock ' || (i % 13) END
    FROM generate_series(lo, least(lo + 9999, n)) i;
    COMMIT;
    lo := lo + 10000;
  END LOOP;
END \$\$;
CALL fill($rows);
SQL

declare -a stream_t scan_t
for r in $(seq 1 "$reps"); do
  order=(stream scan)
  [ $((r % 2)) = 0 ] && order=(scan stream)
  for what in "${order[@]}"; do
    log "repetition $r: pgferry $what --until-caught-up"
    t0=$(now)
    if [ "$what" = stream ]; then
      pgferry stream --source "$S" --tables public.t --slot "stream_$r" --until-caught-up --output /dev/null \
        --checkpoint "$work/stream_$r.ckpt" >"$work/stream-$r.log" 2>&1 || { cat "$work/stream-$r.log" >&2; exit 1; }
      stream_t[$r]=$(secs "$t0" "$(now)")
    else
      pgferry scan --source "$S" --tables public.t --slot "scan_$r" --until-caught-up \
        --channel "jsonl:$work/findings-$r.jsonl" --checkpoint "$work/scan_$r.ckpt" --dedup-window 0s \
        >"$work/scan-$r.log" 2>&1 || { cat "$work/scan-$r.log" >&2; exit 1; }
      scan_t[$r]=$(secs "$t0" "$(now)")
      found=$(wc -l <"$work/findings-$r.jsonl")
      expected=$((rows / 20))
      [ "$found" -ge "$expected" ] || { log "scan $r found $found findings, expected at least $expected"; exit 1; }
    fi
  done
done

log "snapshot scan of the $rows existing rows"
t0=$(now)
pgferry scan --source "$S" --tables public.t --slot snap --snapshot --until-caught-up \
  --channel "jsonl:$work/findings-snap.jsonl" --checkpoint "$work/snap.ckpt" --dedup-window 0s >"$work/snapshot.log" 2>&1 \
  || { cat "$work/snapshot.log" >&2; exit 1; }
snap_t=$(secs "$t0" "$(now)")
snap_found=$(wc -l <"$work/findings-snap.jsonl")

echo
echo "scan benchmark, $(nproc) cores, $rows rows of 3 text columns (5% sensitive)"
for r in $(seq 1 "$reps"); do
  s=${stream_t[$r]}; c=${scan_t[$r]}
  echo "  repetition $r: stream $s s ($(python3 -c "print(round($rows / $s))") rows/s), scan $c s" \
    "($(python3 -c "print(round($rows / $c))") rows/s, $(wc -l <"$work/findings-$r.jsonl") findings)," \
    "ratio (scan rows/s / stream rows/s) $(ratio "$s" "$c")"
done
echo "  snapshot scan: $snap_t s, $(python3 -c "print(round($rows / $snap_t))") rows/s, $snap_found findings"
