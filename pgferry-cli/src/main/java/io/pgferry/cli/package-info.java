/**
 * The {@code pgferry} command line: {@link io.pgferry.cli.Main} and its subcommands. Errors reach the user as one
 * line, {@code pgferry: error: <problem>; fix: <fix>}, with an exit code from {@link io.pgferry.cli.ExitCodes}, and
 * never show a password.
 */
package io.pgferry.cli;
