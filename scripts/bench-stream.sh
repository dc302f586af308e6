#!/usr/bin/env bash
# End-to-end benchmark: the same WAL streamed by pg_recvlogical, the pgferry library and the pgferry CLI.
#   scripts/bench-stream.sh [--big | --big-only] [--metrics] [--source DSN] [--repetitions N]
# Without --source it starts an embedded PostgreSQL. Builds the jars when they are missing or older than the sources.
#   PGFERRY_BUILD_DIR  Maven output folder name (default: target), passed as -Dbuild.dir.name
#   BENCH_JAVA_OPTS    JVM options of the benchmark JVM, which also runs the library consumer (default: -Xmx1g)
set -euo pipefail

repo="$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${PGFERRY_BUILD_DIR:-target}"
bench_jar="$repo/pgferry-bench/$build_dir/pgferry-bench.jar"
cli_jar="$repo/pgferry-cli/$build_dir/pgferry.jar"

if ! command -v pg_recvlogical >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "bench-stream: installing postgresql-client for pg_recvlogical" >&2
    apt-get update -q >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql-client >&2
  else
    echo "bench-stream: pg_recvlogical not found; install PostgreSQL's client programs (postgresql-client)" >&2
    exit 2
  fi
fi

stale() {
  [ ! -f "$bench_jar" ] || [ ! -f "$cli_jar" ] && return 0
  # Any source or pom newer than either jar means a rebuild.
  [ -n "$(find "$repo" -path "$repo/.git" -prune -o \( -name pom.xml -o -path '*/src/main/*' \) -type f \
      \( -newer "$bench_jar" -o -newer "$cli_jar" \) -print -quit)" ]
}
if stale; then
  echo "bench-stream: building (mvn -q -DskipTests package)" >&2
  (cd "$repo" && mvn -B -q -DskipTests -Dbuild.dir.name="$build_dir" package)
fi

# BENCH_JAVA_OPTS is split on whitespace on purpose, like JAVA_OPTS in the pgferry launcher.
# shellcheck disable=SC2086
exec java ${BENCH_JAVA_OPTS:--Xmx1g} -cp "$bench_jar" io.pgferry.bench.StreamBenchmark \
  --pgferry "$repo/pgferry" --cli-jar "$cli_jar" "$@"
