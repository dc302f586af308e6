/**
 * What every command shares: start at {@link io.pgferry.cli.command.PgferryCommand}, the base class that applies the
 * logging options and turns what escapes a command into one line, {@code pgferry: error: <problem>; fix: <fix>}
 * ({@link io.pgferry.cli.command.ErrorReporter}, never showing a password), with an exit code from {@link
 * io.pgferry.cli.command.ExitCodes}. The options several commands take are here too: {@link
 * io.pgferry.cli.command.SourceOption}, {@link io.pgferry.cli.command.TargetOption}, {@link
 * io.pgferry.cli.command.HttpOption}, {@link io.pgferry.cli.command.CommonOptions} (given anywhere on the line and
 * recorded in the run's {@link io.pgferry.cli.command.Invocation}).
 */
package io.pgferry.cli.command;
