/**
 * The change stream from a pgoutput slot. Start at {@link io.pgferry.postgres.ChangeStream}, configured by a {@link
 * io.pgferry.postgres.StreamConfig}: {@code StreamStartup} checks and creates what it needs (slot and publication
 * set-up in {@code ReplicationSetup}, refusals in {@code StartupChecks}), then {@code StreamLoop} runs it (the
 * replication protocol in {@code ReplicationSession}, the initial snapshot in {@code SnapshotReader} or an {@link
 * io.pgferry.postgres.InitialCopy}, calls into the handler in {@code HandlerCalls}, the saved and confirmed position
 * in {@code SavedPosition}, retries in {@code Backoff}, heartbeats in {@code Heartbeats}). {@link
 * io.pgferry.postgres.MissingValues} reads, on a connection of its own, the value a column added with a default gives
 * the rows written before it.
 *
 * <p>Beside it: {@link io.pgferry.postgres.catalog} (table names, quoted identifiers, what the catalogs say about
 * tables and types), {@link io.pgferry.postgres.admin} (readiness checks and slot administration, for operators) and
 * {@link io.pgferry.postgres.connect} (connection strings and connections). They depend one way: {@code catalog}
 * on none of the others, {@code connect} on {@code catalog}, {@code admin} on both, this package on all three.
 */
package io.pgferry.postgres;
