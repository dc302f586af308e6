/**
 * JUnit 5 support for tests against a real PostgreSQL: annotate a class with {@link io.pgferry.testkit.PgTest} and
 * declare {@link io.pgferry.testkit.TestDatabase} or {@link io.pgferry.testkit.PostgresServer} parameters.
 *
 * <p>One server per JVM ({@link io.pgferry.testkit.PostgresServer#shared()}: wal_level=logical, TLS on, fsync off),
 * started on first use and stopped when the JVM exits; a fresh database per test method, dropped afterwards together
 * with its replication slots and the roles the test created through the kit. The major version follows the
 * {@code pg.version} Maven property (14 to 18), which selects the binaries jar.
 *
 * <p>Start at {@link io.pgferry.testkit.TestDatabase}: its one-call helpers ({@code execute}, {@code queryLong},
 * {@code queryString}, {@code withConnection}) run on sessions the kit keeps and resets between calls, cheap enough
 * for polling waits; {@code connect()} opens a session of the test's own.
 */
package io.pgferry.testkit;
