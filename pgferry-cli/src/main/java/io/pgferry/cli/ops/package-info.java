/**
 * What a long-running command does for its operator while it runs: {@link io.pgferry.cli.ops.Signals} (SIGTERM and
 * SIGINT drain and exit 0, SIGHUP reloads), {@link io.pgferry.cli.ops.Logging} and {@link
 * io.pgferry.cli.ops.ConsoleLines} (text or JSON logs, the command's own lines included), and what {@code --http}
 * serves: {@link io.pgferry.cli.ops.StatusJson} for {@code /status}, {@link io.pgferry.cli.ops.SyncMeters} for the
 * sync's metrics. The option itself is {@code io.pgferry.cli.command.HttpOption}.
 */
package io.pgferry.cli.ops;
