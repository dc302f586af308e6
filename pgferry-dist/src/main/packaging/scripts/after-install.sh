#!/bin/sh
# After installing or upgrading pgferry (.deb postinst configure, .rpm %post): the system user, the configuration
# and state directories, the class-data archive that makes short commands start fast, and systemd's view of the
# units. Idempotent.
set -e
if ! getent group pgferry >/dev/null; then
  groupadd --system pgferry
fi
if ! getent passwd pgferry >/dev/null; then
  useradd --system --gid pgferry --home-dir /var/lib/pgferry --no-create-home --shell /usr/sbin/nologin \
    --comment "pgferry replication" pgferry
fi
install -d -m 0750 -o root -g pgferry /etc/pgferry
install -d -m 0750 -o pgferry -g pgferry /var/lib/pgferry
install -d -m 0755 -o root -g root /var/cache/pgferry
# The archive is the classes `pgferry --version` loads, dumped by this Java; a later Java ignores it. Best effort:
# without it pgferry only starts slower.
rm -f /var/cache/pgferry/pgferry.jsa
java_cmd=java
if [ -n "${JAVA_HOME:-}" ]; then java_cmd="$JAVA_HOME/bin/java"; fi
"$java_cmd" -XX:ArchiveClassesAtExit=/var/cache/pgferry/pgferry.jsa -Xlog:cds=off -Xlog:cds+dynamic=off \
  -jar /usr/share/pgferry/pgferry.jar --version >/dev/null 2>&1 || rm -f /var/cache/pgferry/pgferry.jsa
if [ -f /var/cache/pgferry/pgferry.jsa ]; then chmod 0644 /var/cache/pgferry/pgferry.jsa; fi
if [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then
  systemctl daemon-reload || true
fi
exit 0
