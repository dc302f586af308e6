package io.pgferry.engine;

import io.pgferry.core.Lsn;
import io.pgferry.core.event.Relation;
import io.pgferry.core.sink.ChangeSink;
import io.pgferry.core.sink.CopyRangeId;
import io.pgferry.core.sink.TableState;
import io.pgferry.engine.config.SyncConfig;
import io.pgferry.engine.copy.CopyEnd;
import io.pgferry.engine.copy.ForeignChunkedCopy;
import io.pgferry.engine.copy.ForeignCopy;
import io.pgferry.engine.schema.SourceTable;
import io.pgferry.jdbc.JdbcSink;
import io.pgferry.jdbc.SyncCatalog;
import io.pgferry.jdbc.TargetTable;
import io.pgferry.jdbc.foreign.ForeignDialect;
import io.pgferry.jdbc.foreign.JdbcTarget;
import io.pgferry.postgres.catalog.TableName;
import io.pgferry.postgres.connect.Connections;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * The initial copies of a sync into a database that is not PostgreSQL, each worker writing through a sink of its own
 * on a bulk-load session: a snapshot copy ({@link ForeignCopy}), of the sync's tables or of tables added to it, or a
 * chunked one ({@link ForeignChunkedCopy}), whose commits are as durable as the apply's since it resumes from them
 * ({@link JdbcTarget#connectResumableCopy}).
 */
final class ForeignCopies {
    private final SyncConfig config;
    private final SyncEngine engine;
    private final JdbcTarget target;
    private final ForeignDialect dialect;
    private final Map<TableName, TargetTable> targets;
    private final SyncCatalog catalog;
    private final CopyEnd end;

    /** @param end what each copy does once its rows are in, before it records its end */
    ForeignCopies(
            SyncConfig config,
            SyncEngine engine,
            ForeignDialect dialect,
            Map<TableName, TargetTable> targets,
            SyncCatalog catalog,
            CopyEnd end) {
        this.config = config;
        this.engine = engine;
        this.target = config.foreignTarget();
        this.dialect = dialect;
        this.targets = targets;
        this.catalog = catalog;
        this.end = end;
    }

    /** A snapshot copy of {@code tables}, recorded through {@code ledger}. */
    ForeignCopy snapshot(
            List<SourceTable> tables,
            Map<TableName, Relation> relations,
            ForeignCopy.Ledger ledger,
            Supplier<String> fingerprint) {
        return new ForeignCopy(
                config.workers(),
                dialect.copyWriters(config.workers()),
                config.maxRetryTime(),
                tables,
                relations,
                endingWith(ledger),
                () -> Connections.open(config.source()),
                sinks(fingerprint, () -> target.connect(true)),
                engine::copyStarted,
                engine.masks());
    }

    /** A chunked copy of {@code tables}, read from the copy source when there is one. */
    ForeignChunkedCopy chunked(
            List<SourceTable> tables,
            Map<TableName, Relation> relations,
            Map<TableName, Boolean> created,
            Supplier<String> fingerprint) {
        return new ForeignChunkedCopy(
                config,
                tables,
                relations,
                new ForeignChunkedCopy.Destination(
                        dialect.copyWriters(config.workers()),
                        targets,
                        created,
                        catalog,
                        fingerprint,
                        target::connect,
                        sinks(fingerprint, target::connectResumableCopy),
                        end),
                () -> Connections.open(config.copySource() != null ? config.copySource() : config.source()),
                () -> Connections.open(config.source()),
                engine::copyStarted,
                engine.masks());
    }

    /** {@code ledger}, whose copy runs {@link #end} before it records its end. */
    private ForeignCopy.Ledger endingWith(ForeignCopy.Ledger ledger) {
        return new ForeignCopy.Ledger() {
            @Override
            public void state(SourceTable table, TableState state, long rows, long bytes) throws SQLException {
                ledger.state(table, state, rows, bytes);
            }

            @Override
            public void complete(Lsn consistentPoint) throws SQLException {
                end.run();
                ledger.complete(consistentPoint);
            }

            @Override
            public boolean startMarks(List<CopyRangeId> ranges) throws SQLException {
                return ledger.startMarks(ranges);
            }

            @Override
            public void reset() {
                ledger.reset();
            }
        };
    }

    private IntFunction<ChangeSink> sinks(Supplier<String> fingerprint, Supplier<Connection> connect) {
        return worker -> new JdbcSink(
                connect, dialect, r -> SyncChecks.targetOf(targets, r), catalog, fingerprint, target.description());
    }
}
