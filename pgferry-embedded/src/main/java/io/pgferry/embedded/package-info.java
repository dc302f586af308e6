/**
 * Runs a throw-away PostgreSQL server from zonky's embedded binaries: {@link io.pgferry.embedded.EmbeddedPostgres}.
 *
 * <p>The binaries jar on the class path holds one {@code postgres-linux-x86_64.txz}; it is extracted once per archive
 * content into a per-user cache below {@code java.io.tmpdir}. PostgreSQL refuses to run as root (it exits with "root
 * execution of the PostgreSQL server is not permitted"), so when the JVM is root every PostgreSQL process is started
 * through {@code setpriv} as {@code nobody}, and the files it needs are handed over to that user. Each server gets a
 * fresh temporary data directory that {@link io.pgferry.embedded.EmbeddedPostgres#close()} deletes.
 */
package io.pgferry.embedded;
