package io.pgferry.engine;

import io.pgferry.core.Lsn;
import io.pgferry.core.sink.CopyRangeId;
import io.pgferry.core.sink.TableState;
import io.pgferry.engine.copy.ForeignCopy;
import io.pgferry.engine.schema.SourceTable;
import io.pgferry.jdbc.SyncCatalog;
import io.pgferry.jdbc.TargetTable;
import io.pgferry.postgres.catalog.TableName;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** A copy's ledger in the sync's catalog at a SQL destination: {@code table_state} rows and the position. */
final class CatalogLedger implements ForeignCopy.Ledger {
    private final Supplier<Connection> connect;
    private final SyncCatalog catalog;
    private final Map<TableName, TargetTable> targets;
    private final Map<TableName, Boolean> created;
    private final Completion completion;
    private Connection connection;

    /** What a finished copy records, on the ledger's connection. */
    @FunctionalInterface
    interface Completion {
        void complete(Connection c, Lsn consistentPoint) throws SQLException;
    }

    /** The initial copy's ledger: its end is the sync's first position. */
    CatalogLedger(
            Supplier<Connection> connect,
            SyncCatalog catalog,
            Map<TableName, TargetTable> targets,
            Map<TableName, Boolean> created,
            Supplier<String> fingerprint) {
        this(connect, catalog, targets, created, (c, point) -> catalog.savePosition(c, fingerprint.get(), point, null));
    }

    /** A ledger whose copy records its end with {@code completion} (tables added to a running sync). */
    CatalogLedger(
            Supplier<Connection> connect,
            SyncCatalog catalog,
            Map<TableName, TargetTable> targets,
            Map<TableName, Boolean> created,
            Completion completion) {
        this.connect = connect;
        this.catalog = catalog;
        this.targets = targets;
        this.created = created;
        this.completion = completion;
    }

    private Connection connection() throws SQLException {
        if (connection == null || connection.isClosed()) {
            connection = connect.get();
            connection.setAutoCommit(true);
        }
        return connection;
    }

    @Override
    public void state(SourceTable t, TableState state, long rows, long bytes) throws SQLException {
        catalog.setState(
                connection(),
                t.name().toString(),
                targets.get(t.name()),
                state,
                rows,
                bytes,
                created.getOrDefault(t.name(), false),
                null);
    }

    @Override
    public boolean startMarks(List<CopyRangeId> ranges) throws SQLException {
        Connection c = connection();
        if (!catalog.keepsCopyRanges(c)) {
            return false;
        }
        catalog.copyRanges().start(c, ranges);
        return true;
    }

    @Override
    public void reset() {
        Connection c = connection;
        connection = null;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                // A connection that failed is abandoned; the next record opens another.
            }
        }
    }

    /**
     * Records the copy's end, then forgets its marks, which only a copy in progress reads, and closes the ledger's
     * connection: the copy is over.
     */
    @Override
    public void complete(Lsn consistentPoint) throws SQLException {
        try (Connection c = connection()) {
            completion.complete(c, consistentPoint);
            c.setAutoCommit(true);
            if (catalog.keepsCopyRanges(c)) {
                catalog.copyRanges().clear(c);
            }
        } finally {
            connection = null;
        }
    }
}
