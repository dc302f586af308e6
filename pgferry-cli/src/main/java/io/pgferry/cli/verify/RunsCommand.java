package io.pgferry.cli.verify;

import io.pgferry.cli.command.ControlPlaneOption;
import io.pgferry.cli.command.ExitCodes;
import io.pgferry.cli.command.PgferryCommand;
import io.pgferry.core.PgFerryException;
import io.pgferry.postgres.catalog.TableName;
import io.pgferry.verify.control.ControlPlane;
import java.io.PrintWriter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code pgferry runs}: the verification history that {@code verify --write-control-plane} recorded. */
@Command(
        name = "runs",
        description = "List and show recorded verify runs; mark their divergences reviewed, resolved or ignored.",
        mixinStandardHelpOptions = true,
        subcommands = {RunsCommand.ListRuns.class, RunsCommand.Show.class, RunsCommand.Mark.class})
public final class RunsCommand extends PgferryCommand {
    @Override
    protected int run() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCodes.USAGE;
    }

    abstract static class OnControlPlane extends PgferryCommand {
        @Option(
                names = "--control-dsn",
                paramLabel = "DSN",
                description = "PostgreSQL control plane (default: the SQLite file in the state directory).")
        String controlDsn;

        @Override
        protected final int run() {
            try (ControlPlane control = ControlPlaneOption.open(spec.commandLine(), controlDsn)) {
                return run(control);
            }
        }

        abstract int run(ControlPlane control);
    }

    @Command(name = "list", description = "The latest runs, newest first.", mixinStandardHelpOptions = true)
    static final class ListRuns extends OnControlPlane {
        @Option(
                names = "--limit",
                paramLabel = "N",
                defaultValue = "20",
                description = "How many (default: ${DEFAULT-VALUE}).")
        int limit;

        @Override
        int run(ControlPlane control) {
            PrintWriter out = out();
            List<ControlPlane.Run> runs = control.runs(Math.max(1, limit));
            if (runs.isEmpty()) {
                out.printf(
                        Locale.ROOT,
                        "no verify runs recorded in %s (pgferry verify --write-control-plane records them)%n",
                        control.location());
            }
            for (ControlPlane.Run r : runs) {
                out.printf(
                        Locale.ROOT,
                        "%s  %s  %-16s %-12s %5.1f%%  %d divergence(s)  %s -> %s%n",
                        r.runId().substring(0, 8),
                        r.startedAt().truncatedTo(ChronoUnit.SECONDS),
                        r.mode(),
                        r.outcome(),
                        r.coveragePct(),
                        r.divergences(),
                        r.publisher(),
                        r.subscriber());
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "show", description = "One run and its divergences.", mixinStandardHelpOptions = true)
    static final class Show extends OnControlPlane {
        @Parameters(paramLabel = "RUN", description = "The run id, or a unique prefix of it.")
        String runId;

        @Override
        int run(ControlPlane control) {
            ControlPlane.Run r = control.run(runId)
                    .orElseThrow(() -> configurationError(PgFerryException.fatal(
                            "no single run matches '" + runId + "' in " + control.location(),
                            "see pgferry runs list")));
            PrintWriter out = out();
            out.printf(
                    Locale.ROOT, "run %s%n  %s .. %s, mode %s%n", r.runId(), r.startedAt(), r.finishedAt(), r.mode());
            out.printf(Locale.ROOT, "  publisher %s, subscriber %s%n", r.publisher(), r.subscriber());
            out.printf(
                    Locale.ROOT,
                    "  %s (exit %d), coverage %.1f%%, %,d of %,d buckets compared, %d divergence(s)%n",
                    r.outcome(),
                    r.exitCode(),
                    r.coveragePct(),
                    r.compared(),
                    r.buckets(),
                    r.divergences());
            if (!r.problems().isEmpty()) {
                r.problems().lines().forEach(p -> out.printf(Locale.ROOT, "  problem: %s%n", p));
            }
            for (ControlPlane.Divergence d : control.divergences(r.runId())) {
                out.printf(
                        Locale.ROOT,
                        "  #%d %s bucket %d: %s, %s%s%n",
                        d.divergenceId(),
                        new TableName(d.schema(), d.table()),
                        d.bucketId(),
                        d.status(),
                        d.state(),
                        d.note() == null ? "" : " (" + d.note() + ")");
            }
            return ExitCodes.OK;
        }
    }

    @Command(
            name = "mark",
            description = "Move a divergence to open, reviewed, resolved or ignored.",
            mixinStandardHelpOptions = true)
    static final class Mark extends OnControlPlane {
        @Parameters(index = "0", paramLabel = "DIVERGENCE", description = "The divergence number (#N in runs show).")
        long divergenceId;

        @Parameters(index = "1", paramLabel = "STATE", description = "open, reviewed, resolved or ignored.")
        String state;

        @Option(names = "--note", paramLabel = "TEXT", description = "Why; kept with the divergence.")
        String note;

        @Override
        int run(ControlPlane control) {
            if (!ControlPlane.STATES.contains(state)) {
                throw configurationError(PgFerryException.fatal(
                        "unknown state '" + state + "'", "use one of " + String.join(", ", ControlPlane.STATES)));
            }
            if (!control.mark(divergenceId, state, note)) {
                throw configurationError(PgFerryException.fatal(
                        "no divergence #" + divergenceId + " in " + control.location(), "see pgferry runs show RUN"));
            }
            out().printf(Locale.ROOT, "divergence #%d is %s%n", divergenceId, state);
            return ExitCodes.OK;
        }
    }
}
