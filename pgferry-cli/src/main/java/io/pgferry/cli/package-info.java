/**
 * The {@code pgferry} command line: start at {@link io.pgferry.cli.Main}, which registers one class per subcommand
 * ({@code StreamCommand}, {@code SyncCommand}, {@code ScanCommand}, {@code GuardCommand} ...) beside the options they
 * share ({@code SourceOption}, {@code TargetOption}, {@code HttpOption}, {@code CommonOptions}). Errors reach the user
 * as one line, {@code pgferry: error: <problem>; fix: <fix>}, with an exit code from {@link
 * io.pgferry.cli.ExitCodes}, and never show a password. Configuration files are read in {@link
 * io.pgferry.cli.config}, signals, logs and what {@code --http} serves are in {@link io.pgferry.cli.ops}, and the
 * JSON lines of {@code pgferry stream} in {@link io.pgferry.cli.json}.
 */
package io.pgferry.cli;
