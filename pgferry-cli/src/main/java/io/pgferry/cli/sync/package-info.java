/**
 * {@code pgferry sync}: start at {@link io.pgferry.cli.sync.SyncCommand}, which turns options into the engine's
 * configuration and target and runs it under signals, with the copy's progress drawn by {@link
 * io.pgferry.cli.sync.CopyReporter}; {@link io.pgferry.cli.sync.StatusCommand} reads what a sync recorded at its
 * target.
 */
package io.pgferry.cli.sync;
