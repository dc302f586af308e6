package io.pgferry.cli.verify;

import io.pgferry.cli.command.ControlPlaneOption;
import io.pgferry.cli.command.ExitCodes;
import io.pgferry.cli.command.PgferryCommand;
import io.pgferry.postgres.catalog.TableName;
import io.pgferry.verify.control.ControlPlane;
import io.pgferry.verify.inspect.BucketInspector;
import java.nio.file.Files;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code pgferry repair}: inspects one bucket again and applies the repair plan to the subscriber in one
 * transaction, then marks the bucket's open divergences resolved in the control plane. Never runs implicitly.
 */
@Command(
        name = "repair",
        description = "Make one bucket of the subscriber equal to the publisher's, in one transaction.",
        mixinStandardHelpOptions = true,
        sortOptions = false)
public final class RepairCommand extends PgferryCommand {
    @Mixin
    BucketOptions bucket;

    @Option(names = "--dry-run", description = "Print the plan; change nothing.")
    boolean dryRun;

    @Option(
            names = "--control-dsn",
            paramLabel = "DSN",
            description = "Control plane whose divergences of this bucket become resolved (default: the SQLite file in"
                    + " the state directory, when it exists).")
    String controlDsn;

    @Override
    protected int runtimeExitCode() {
        return ExitCodes.VERIFY_RUNTIME;
    }

    @Override
    protected int run() {
        TableName t = bucket.tableName();
        BucketInspector.Repair r = BucketInspector.repair(
                bucket.publisher(), bucket.subscriber(), t.schema(), t.name(), bucket.bucketId, dryRun);
        InspectCommand.printText(out(), r.inspection());
        if (r.inspection().rows().isEmpty()) {
            out().println("nothing to repair");
        } else if (!r.applied()) {
            out().println("dry run: nothing was changed");
        } else {
            out().printf(Locale.ROOT, "repaired: %d statement(s) applied on the subscriber%n", r.statements());
        }
        if (!dryRun && (controlDsn != null || Files.exists(ControlPlaneOption.defaultFile()))) {
            try (ControlPlane control = ControlPlaneOption.open(spec.commandLine(), controlDsn)) {
                int resolved = control.resolve(
                        ControlPlaneOption.name(bucket.publisher()),
                        ControlPlaneOption.name(bucket.subscriber()),
                        t.schema(),
                        t.name(),
                        bucket.bucketId,
                        r.applied() ? "repaired by pgferry repair" : "found equal");
                if (resolved > 0) {
                    out().printf(Locale.ROOT, "%d divergence(s) marked resolved in %s%n", resolved, control.location());
                }
            }
        }
        out().flush();
        return ExitCodes.OK;
    }
}
