/**
 * The verification commands: {@link io.pgferry.cli.verify.GuardCommand} (install, register, run the bucket-hash
 * worker), {@link io.pgferry.cli.verify.VerifyCommand} (compare two catalogs), {@link
 * io.pgferry.cli.verify.InspectCommand} and {@link io.pgferry.cli.verify.RepairCommand} (rows of diverged buckets),
 * {@link io.pgferry.cli.verify.DiffCommand} (bisection with nothing installed) and {@link
 * io.pgferry.cli.verify.RunsCommand} (past runs in a control plane). Their exit codes are pg-sync-guard's: 1 diverged,
 * 3 inconclusive, 4 runtime failure.
 */
package io.pgferry.cli.verify;
