package io.pgferry.cli.stream;

import io.pgferry.cli.command.ExitCodes;
import io.pgferry.cli.command.HttpOption;
import io.pgferry.cli.command.MaskOption;
import io.pgferry.cli.command.PgferryCommand;
import io.pgferry.cli.command.SourceOption;
import io.pgferry.cli.command.StreamResourceOptions;
import io.pgferry.cli.config.DurationConverter;
import io.pgferry.cli.json.JsonLinesHandler;
import io.pgferry.cli.ops.Signals;
import io.pgferry.cli.ops.StatusJson;
import io.pgferry.core.Lsn;
import io.pgferry.core.PgFerryException;
import io.pgferry.core.checkpoint.FileCheckpointStore;
import io.pgferry.core.sink.MaskingStage;
import io.pgferry.core.sink.Stage;
import io.pgferry.core.sink.ValueMask;
import io.pgferry.metrics.MetricsServer;
import io.pgferry.metrics.SlotMetrics;
import io.pgferry.metrics.StreamMetrics;
import io.pgferry.postgres.ChangeStream;
import io.pgferry.postgres.StreamConfig;
import io.pgferry.postgres.StreamStats;
import io.pgferry.postgres.admin.MaskChecks;
import io.pgferry.postgres.admin.PublicationChecks;
import io.pgferry.postgres.catalog.TableName;
import io.pgferry.postgres.connect.Connections;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pgferry stream}: committed changes of a publication as JSON lines. */
@Command(
        name = "stream",
        description = "Stream committed changes as one JSON object per line.",
        mixinStandardHelpOptions = true,
        sortOptions = false)
public final class StreamCommand extends PgferryCommand {
    @Mixin
    SourceOption source;

    @Option(
            names = "--publication",
            paramLabel = "NAME",
            defaultValue = StreamConfig.Builder.DEFAULT_PUBLICATION,
            description = "Publication to stream; created for --tables when missing (default: ${DEFAULT-VALUE}).")
    String publication;

    @Option(
            names = "--slot",
            paramLabel = "NAME",
            defaultValue = StreamConfig.Builder.DEFAULT_SLOT,
            description = "Replication slot, [a-z0-9_]; created when missing (default: ${DEFAULT-VALUE}).")
    String slot;

    @Option(names = "--tables", paramLabel = "LIST", description = "Tables to publish, as schema.table,schema.table.")
    String tables;

    @Option(names = "--snapshot", description = "First deliver the existing rows (op read); needs a new slot.")
    boolean snapshot;

    @Option(names = "--from-lsn", paramLabel = "LSN", description = "Skip transactions that commit before LSN.")
    String fromLsn;

    @Option(
            names = "--until-caught-up",
            description = "Exit 0 once every transaction committed before the start was written.")
    boolean untilCaughtUp;

    @Option(names = "--output", paramLabel = "FILE", description = "Append JSON lines to FILE (default: stdout).")
    Path output;

    @Option(
            names = "--checkpoint",
            paramLabel = "FILE",
            description = "Keep acknowledged progress in FILE to resume exactly there"
                    + " (default: <state dir>/<slot>@<host>_<port>_<db>.checkpoint, state dir $PGFERRY_STATE_DIR or"
                    + " ~/.local/state/pgferry).")
    Path checkpoint;

    @Option(names = "--binary", description = "Ask the server for binary column values.")
    boolean binary;

    @Option(names = "--two-phase", description = "Decode prepared transactions at PREPARE (PostgreSQL 15+, new slot).")
    boolean twoPhase;

    @Option(
            names = "--heartbeat",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "When idle this long, write a WAL message so the slot advances.")
    Duration heartbeat;

    @Mixin
    StreamResourceOptions resources;

    @Mixin
    MaskOption mask;

    @Mixin
    HttpOption http;

    @Override
    protected int run() {
        StreamConfig config = config();
        ValueMask valueMask = mask.load();
        http.address(); // checked before anything is created
        Stage stage = Stage.IDENTITY;
        if (valueMask != ValueMask.NONE) {
            refuseBadMasks(config, valueMask);
            stage = new MaskingStage(valueMask);
        }
        boolean outputExisted = output != null && Files.exists(output);
        try {
            return stream(config, stage);
        } catch (RuntimeException e) {
            removeIfLeftEmpty(outputExisted);
            throw e;
        }
    }

    /** A run that failed before writing anything leaves no output file it created behind. */
    private void removeIfLeftEmpty(boolean existed) {
        try {
            if (output != null && !existed && Files.isRegularFile(output) && Files.size(output) == 0) {
                Files.delete(output);
            }
        } catch (IOException e) {
            // The run already failed with the error that matters; an empty file left behind is harmless.
        }
    }

    /**
     * Refuses, before the slot or the output is created, a mask the tables to stream cannot take: those of --tables,
     * else those the publication has now (a table added to it later is checked at its first change).
     */
    private void refuseBadMasks(StreamConfig config, ValueMask valueMask) {
        try (Connection c = Connections.open(config.source())) {
            List<TableName> names = config.tables().isEmpty()
                    ? new PublicationChecks(c, config.publication()).publishedTables()
                    : config.tables();
            MaskChecks.refuseAtStart(c, valueMask, names);
        } catch (SQLException e) {
            throw Connections.classify(e, config.source());
        }
    }

    private int stream(StreamConfig config, Stage stage) {
        long syncEvery = Duration.ofMillis(200).toNanos();
        try (JsonLinesHandler out = output == null
                ? JsonLinesHandler.toStream(new FileOutputStream(FileDescriptor.out), syncEvery, stage)
                : JsonLinesHandler.toFile(output, syncEvery, stage)) {
            ChangeStream stream = ChangeStream.create(config, out);
            SlotMetrics slotMetrics = new SlotMetrics(config.source(), config.slot(), Duration.ofSeconds(5));
            MetricsServer server = http.start(
                    registry -> {
                        StreamMetrics.bind(registry, config.slot(), stream::stats);
                        slotMetrics.bind(registry);
                    },
                    () -> readiness(stream),
                    () -> StatusJson.of(
                            "stream",
                            "streams",
                            List.of(new StatusJson.Stream(
                                    config.slot(), stream.state().name().toLowerCase(Locale.ROOT), stream.stats())),
                            Map.of()));
            Signals signals =
                    Signals.install(stream::stop, null, spec.commandLine().getErr());
            try {
                stream.run();
            } finally {
                signals.close();
                if (server != null) {
                    server.close();
                }
                slotMetrics.close();
            }
            StreamStats s = stream.stats();
            spec.commandLine()
                    .getErr()
                    .printf(
                            Locale.ROOT,
                            "pgferry: %d transactions, %d changes, acknowledged up to %s%n",
                            s.transactions(),
                            out.changes(),
                            s.acknowledged());
        } catch (IOException e) {
            throw PgFerryException.fatal(
                    "cannot write " + (output == null ? "standard output" : output.toString()) + ": " + e.getMessage(),
                    "check the path, free space and permissions");
        }
        return ExitCodes.OK;
    }

    /** Ready while the stream reads its snapshot or streams. */
    static Optional<String> readiness(ChangeStream stream) {
        ChangeStream.State st = stream.state();
        return st == ChangeStream.State.STREAMING || st == ChangeStream.State.SNAPSHOTTING
                ? Optional.empty()
                : Optional.of("the stream is " + st.name().toLowerCase(Locale.ROOT));
    }

    /** The validated configuration; a bad value exits with {@link ExitCodes#USAGE} before anything is done. */
    StreamConfig config() {
        try {
            return buildConfig();
        } catch (PgFerryException e) {
            throw configurationError(e);
        }
    }

    private StreamConfig buildConfig() {
        StreamConfig.Builder b = StreamConfig.builder()
                .source(source.dsn())
                .publication(publication)
                .slot(slot)
                .snapshot(snapshot)
                .untilCaughtUp(untilCaughtUp)
                .binary(binary)
                .twoPhase(twoPhase)
                .memoryLimitBytes(resources.memoryLimit)
                .heartbeatInterval(heartbeat)
                .maxRetryTime(resources.maxRetryTime);
        if (tables != null) {
            b.tables(TableName.parseList(tables));
        }
        if (fromLsn != null) {
            try {
                b.fromLsn(Lsn.parse(fromLsn));
            } catch (IllegalArgumentException e) {
                throw PgFerryException.fatal(e.getMessage(), "give --from-lsn like 0/16B3748");
            }
        }
        if (resources.spillDir != null) {
            b.spillDirectory(resources.spillDir);
        }
        if (checkpoint != null) {
            b.checkpointStore(new FileCheckpointStore(checkpoint));
        }
        return b.build();
    }
}
