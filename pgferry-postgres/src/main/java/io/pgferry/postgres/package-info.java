/**
 * The change stream from a pgoutput slot. Start at {@link io.pgferry.postgres.ChangeStream}, configured by a {@link
 * io.pgferry.postgres.StreamConfig}: {@code StreamLoop} runs it (slot and publication set-up in {@code
 * ReplicationSetup}, the replication protocol in {@code ReplicationSession}, the initial snapshot in {@code
 * SnapshotReader} or an {@link io.pgferry.postgres.InitialCopy}). Beside it: readiness checks ({@link
 * io.pgferry.postgres.Preflight}), slot administration ({@link io.pgferry.postgres.SlotAdmin}) and quoted
 * identifiers ({@link io.pgferry.postgres.Identifiers}). Connection strings and connections are in {@link
 * io.pgferry.postgres.connect}.
 */
package io.pgferry.postgres;
