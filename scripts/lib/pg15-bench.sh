# Shared by the benchmark scripts (sourced, not run): two or more throw-away PostgreSQL 15 clusters from Debian's
# packages in a temporary folder, the pgferry jar, and small helpers. Expects $bench (the script's name, for
# messages) and $repo. Everything lives in $work, removed at exit, also on failure or Ctrl-C.

pgbin=/usr/lib/postgresql/15/bin
log() { echo "$bench: $*" >&2; }
now() { date +%s.%N; }
secs() { python3 -c "print(f'{$2 - $1:.2f}')"; }
ratio() { python3 -c "print(f'{$1 / $2:.2f}')"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

# bench_require PROGRAM... : installs postgresql-15 (which brings pgbench and pg_recvlogical) and the Debian package
# of any other missing program (named as the program: pgcopydb) when one is missing.
bench_require() {
  local missing=false p packages=()
  [ -x "$pgbin/postgres" ] || missing=true
  for p in "$@"; do
    command -v "$p" >/dev/null 2>&1 || [ -x "$pgbin/$p" ] && continue
    missing=true
    case "$p" in
      pgbench|pg_recvlogical|pg_dump|pg_restore|psql) ;;
      *) packages+=("$p") ;;
    esac
  done
  $missing || return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing postgresql-15 ${packages[*]}"
    apt-get update -q >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql-15 postgresql-client-15 "${packages[@]}" >&2
  else
    log "needs PostgreSQL 15 ($pgbin) ${packages[*]}: apt-get install postgresql-15 ${packages[*]}"
    exit 2
  fi
}

# bench_build: builds pgferry when the jar is missing or older than a source file (unless $PGFERRY_JAR is set).
bench_build() {
  [ -n "${PGFERRY_JAR:-}" ] && return 0
  if [ ! -f "$repo/pgferry-cli/target/pgferry.jar" ] || \
     [ -n "$(find "$repo" -path "$repo/.git" -prune -o \( -name pom.xml -o -path '*/src/main/*' \) -type f \
         -newer "$repo/pgferry-cli/target/pgferry.jar" -print -quit)" ]; then
    log "building pgferry (mvn -q -DskipTests package)"
    (cd "$repo" && mvn -B -q -DskipTests package)
  fi
}

# The launcher users run (it honours $PGFERRY_JAR and picks JVM options per command).
pgferry() { "$repo/pgferry" "$@"; }

# bench_workdir: creates $work and the traps that remove it with every cluster in it ($bench_pids are killed).
bench_pids=""
bench_workdir() {
  work="$(mktemp -d "/tmp/pgferry-$bench.XXXXXX")"
  chmod 755 "$work"
  [ "$(id -u)" = 0 ] && chown postgres "$work"
  trap bench_cleanup EXIT INT TERM
  trap 'log "failed at line $LINENO"; for f in "$work"/*.log; do echo "--- $f"; tail -5 "$f"; done >&2' ERR
}
bench_cleanup() {
  [ -n "${BENCH_KEEP_LOGS:-}" ] && mkdir -p "$BENCH_KEEP_LOGS" && cp "$work"/*.log "$BENCH_KEEP_LOGS"/ 2>/dev/null
  local p c
  for p in $bench_pids; do kill "$p" 2>/dev/null || true; done
  for c in "$work"/*/; do
    [ -f "$c/PG_VERSION" ] && as_pg "$pgbin/pg_ctl" -D "$c" -m immediate stop >/dev/null 2>&1 || true
  done
  rm -rf "$work"
}

# bench_cluster NAME PORT: initdb and start cluster $work/NAME on PORT; extra postgresql.conf lines on stdin.
bench_cluster() {
  as_pg "$pgbin/initdb" -D "$work/$1" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null
  {
    echo "port = $2"
    echo "listen_addresses = '127.0.0.1'"
    echo "unix_socket_directories = '$work'"
    cat
  } >>"$work/$1/postgresql.conf"
  as_pg "$pgbin/pg_ctl" -D "$work/$1" -l "$work/$1.log" -w start >/dev/null
}

# bench_logical_source: a source cluster "src" (wal_level = logical) on a free port ($src_port) with database bench;
# sets $S (its URI) and defines psql_s (psql on it, stopping at the first error).
bench_logical_source() {
  src_port=$(free_port)
  bench_cluster src "$src_port" <<CONF
wal_level = logical
max_wal_size = 16GB
shared_buffers = 512MB
max_replication_slots = 32
max_wal_senders = 10
CONF
  S="postgresql://postgres@127.0.0.1:$src_port/bench"
  psql_s() { "$pgbin/psql" -X -q -v ON_ERROR_STOP=1 "$S" "$@"; }
  "$pgbin/psql" -X -q "postgresql://postgres@127.0.0.1:$src_port/postgres" -c "CREATE DATABASE bench"
}

# bench_decode SLOT PUBLICATION END_LSN: the floor every consumer of a slot shares: pg_recvlogical reads SLOT (pgoutput,
# PUBLICATION) on $S up to END_LSN into /dev/null; prints the seconds it took, then drops SLOT.
bench_decode() {
  local t0
  t0=$(now)
  "$pgbin/pg_recvlogical" -d "$S" --slot "$1" --start --no-loop -o proto_version=1 \
    -o publication_names="$2" --endpos "$3" -f /dev/null
  secs "$t0" "$(now)"
  "$pgbin/psql" -X -q -v ON_ERROR_STOP=1 "$S" -c "SELECT pg_drop_replication_slot('$1')" >/dev/null
}

# CPU seconds (user + system), read from /proc, for the floor a run of two cores sets: the work of every process a
# consumer keeps busy, divided by the cores that share it.
# cluster_cpu NAME: what cluster NAME's ended processes used so far (its postmaster's reaped children: backends and
#   walsenders, once they exit).
cluster_cpu() {
  awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f\n", ($16 + $17) / hz}' "/proc/$(head -1 "$work/$1/postmaster.pid")/stat"
}
# pid_cpu PID: what the live process PID used so far.
pid_cpu() {
  awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f\n", ($14 + $15) / hz}' "/proc/$1/stat"
}
# children_cpu VAR: sets VAR to what this shell's ended children used so far (bash's times, run in this shell: in a
#   command substitution it would count the subshell's children only).
children_cpu() {
  times >"$work/times"
  printf -v "$1" '%s' "$(awk 'NR == 2 {
    s = 0
    for (i = 1; i <= 2; i++) { split($i, p, /[ms]/); s += p[1] * 60 + p[2] }
    printf "%.2f", s
  }' "$work/times")"
}
# cpu_sampler_start NAME PATTERN: starts sampling, every 0.1 s until cpu_sampler_stop, the CPU of cluster NAME's
#   processes whose title matches PATTERN (a Python regular expression): unlike cluster_cpu it leaves out autovacuum
#   and the other processes that do not serve the consumer measured. A process that ends loses at most its last
#   0.1 s. cpu_sampler_stop VAR sets VAR to the sum, in seconds, and VAR_max to the busiest process's.
cpu_sampler_start() {
  python3 - "$(head -1 "$work/$1/postmaster.pid")" "$2" >"$work/sampler-$1.out" <<'PY' &
import os, re, signal, sys, time
ppid, pattern, hz = int(sys.argv[1]), re.compile(sys.argv[2]), os.sysconf("SC_CLK_TCK")
seen = {}
def stop(*_):
    print(f"{sum(seen.values()) / hz:.2f} {max(seen.values(), default=0) / hz:.2f}")
    sys.exit(0)
signal.signal(signal.SIGTERM, stop)
while True:
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            if int(fields[1]) != ppid:
                continue
            with open(f"/proc/{pid}/cmdline") as f:
                if not pattern.search(f.read().replace("\0", " ")):
                    continue
            seen[pid] = int(fields[11]) + int(fields[12])
        except (OSError, ValueError, IndexError):
            pass
    time.sleep(0.1)
PY
  eval "sampler_$1=$!"
  bench_pids="$bench_pids $!"
}
cpu_sampler_stop() {
  local pid_var="sampler_$2"
  kill -TERM "${!pid_var}"
  wait "${!pid_var}" 2>/dev/null || true
  local sum max
  read -r sum max <"$work/sampler-$2.out"
  printf -v "$1" '%s' "$sum"
  printf -v "$1_max" '%s' "$max"
}
# cluster_settle NAME: waits (10 s at most) until cluster NAME has no client backend or walsender left, so that
#   cluster_cpu counts the ones that just ended.
cluster_settle() {
  local pid i
  pid=$(head -1 "$work/$1/postmaster.pid")
  for i in $(seq 100); do
    ps -o args= --ppid "$pid" | grep -qE 'postgres: (walsender|postgres [^ ]+ 127)' || return 0
    sleep 0.1
  done
}
