package io.pgferry.core.checkpoint;

import io.pgferry.core.Lsn;

/**
 * What a stream has durably done: every transaction that ends at or before {@code lsn} was acknowledged by the
 * handler. {@code fingerprint} identifies the configuration that produced it (source, slot, publication, tables), so
 * that a checkpoint is never applied to a different stream by mistake.
 */
public record Checkpoint(Lsn lsn, String fingerprint) {}
