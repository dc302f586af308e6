/**
 * The change stream from a pgoutput slot. Start at {@link io.pgferry.postgres.ChangeStream}, configured by a {@link
 * io.pgferry.postgres.StreamConfig}: {@code StreamStartup} checks and creates what it needs (slot and publication
 * set-up in {@code ReplicationSetup}), then {@code StreamLoop} runs it (the replication protocol in {@code
 * ReplicationSession}, the initial snapshot in {@code SnapshotReader} or an {@link io.pgferry.postgres.InitialCopy},
 * calls into the handler in {@code HandlerCalls}, retries in {@code Backoff}, heartbeats in {@code Heartbeats}). Beside it: readiness checks ({@link
 * io.pgferry.postgres.Preflight}), slot administration ({@link io.pgferry.postgres.SlotAdmin}) and quoted
 * identifiers ({@link io.pgferry.postgres.Identifiers}). Connection strings and connections are in {@link
 * io.pgferry.postgres.connect}.
 */
package io.pgferry.postgres;
