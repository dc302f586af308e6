package io.pgferry.postgres;

import io.pgferry.core.Lsn;
import io.pgferry.core.PgFerryException;
import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.Column;
import io.pgferry.core.event.Relation;
import io.pgferry.core.event.ReplicaIdentity;
import io.pgferry.core.event.Row;
import io.pgferry.core.event.Transaction;
import io.pgferry.core.value.TypeResolver;
import io.pgferry.postgres.catalog.CatalogTypes;
import io.pgferry.postgres.catalog.Identifiers;
import io.pgferry.postgres.catalog.TableName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyOut;

/**
 * Reads the rows of each published table as they were in an exported snapshot (the one returned by
 * CREATE_REPLICATION_SLOT ... EXPORT_SNAPSHOT), so that the rows plus the changes streamed from the slot's consistent
 * point are exactly the table's history: nothing missed, nothing twice. See the PostgreSQL docs, "Exported
 * Snapshots" (SET TRANSACTION SNAPSHOT) and "Streaming Replication Protocol" (CREATE_REPLICATION_SLOT).
 *
 * <p>Each table is one {@link Transaction.Kind#SNAPSHOT} transaction whose rows are read from COPY while the handler
 * iterates, so memory does not grow with the table. Only the last table's transaction carries the consistent point
 * as its end position: acknowledging it acknowledges the whole snapshot, and no earlier acknowledgement can make a
 * restart believe the snapshot complete.
 */
final class SnapshotReader {
    private static final String COLUMNS = "SELECT a.attname, a.atttypid, a.atttypmod,"
            + " (c.relreplident = 'f' OR EXISTS (SELECT 1 FROM pg_catalog.pg_index i WHERE i.indrelid = c.oid"
            + " AND a.attnum = ANY(i.indkey) AND CASE c.relreplident WHEN 'd' THEN i.indisprimary"
            + " WHEN 'i' THEN i.indisreplident ELSE false END)) AS key, c.relreplident, c.oid"
            + " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
            + " JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid"
            + " WHERE n.nspname = ? AND c.relname = ? AND a.attnum > 0 AND NOT a.attisdropped"
            + " AND a.attgenerated = '' ORDER BY a.attnum";

    private final Connection connection;
    private final TypeResolver types;
    private final BooleanSupplier stopRequested;

    /** @param stopRequested whether the stream was asked to stop, for a wait on the handler (see awaitRelease) */
    SnapshotReader(Connection connection, TypeResolver types, BooleanSupplier stopRequested) {
        this.connection = connection;
        this.types = types;
        this.stopRequested = stopRequested;
    }

    /** Imports {@code snapshotName} and delivers every table's rows to {@code sink}, one transaction per table. */
    void read(
            String snapshotName,
            List<TableName> tables,
            Lsn consistentPoint,
            Consumer<Transaction> sink,
            Consumer<Lsn> acknowledger,
            CatalogTypes catalog)
            throws SQLException {
        connection.setAutoCommit(false);
        connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        try (Statement st = connection.createStatement()) {
            st.execute("SET TRANSACTION READ ONLY");
            st.execute("SET TRANSACTION SNAPSHOT '" + snapshotName.replace("'", "''") + "'");
        }
        try {
            for (int t = 0; t < tables.size(); t++) {
                Relation relation = describe(tables.get(t));
                catalog.load(relation);
                boolean last = t == tables.size() - 1;
                CopyOut copy = connection
                        .unwrap(PGConnection.class)
                        .getCopyAPI()
                        .copyOut("COPY (SELECT " + columnList(relation) + " FROM ONLY "
                                + Identifiers.qualified(relation.schema(), relation.table()) + ") TO STDOUT");
                RowIterator rows = new RowIterator(copy, relation, consistentPoint);
                Transaction tx = new Transaction(
                        0,
                        consistentPoint,
                        last ? consistentPoint : Lsn.INVALID,
                        // Rows of a snapshot have no commit of their own to take a time from.
                        null,
                        null,
                        Transaction.Kind.SNAPSHOT,
                        rows,
                        acknowledger);
                CountDownLatch released = new CountDownLatch(1);
                Transaction.Delivery delivery = new Transaction.Delivery(tx, () -> {}, released::countDown);
                boolean handed = false;
                try {
                    sink.accept(tx);
                    handed = true;
                } finally {
                    boolean complete = true;
                    if (delivery.end() && handed) {
                        complete = awaitRelease(delivery, released);
                    } else {
                        delivery.revoke();
                    }
                    if (complete) {
                        rows.finish();
                    } else {
                        rows.cancel();
                        throw PgFerryException.fatal(
                                "stopped during the initial snapshot while the handler held the rows of "
                                        + tables.get(t) + ": the snapshot is incomplete",
                                "drop the stream's slot and start again with the snapshot");
                    }
                }
            }
        } finally {
            connection.commit();
            connection.setAutoCommit(true);
        }
    }

    /**
     * The handler retained a table's transaction: its rows come from the COPY on this connection, which must not be
     * used for anything else until the handler is done, so the snapshot waits for the release. A stop requested
     * meanwhile ends the transaction for the handler (reading it throws from then on).
     *
     * @return true once released; false when the transaction was ended for a stop
     */
    private boolean awaitRelease(Transaction.Delivery delivery, CountDownLatch released) {
        try {
            while (!released.await(StreamLoop.RELEASE_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                if (stopRequested.getAsBoolean()) {
                    delivery.revoke();
                    return false;
                }
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            delivery.revoke();
            return false;
        }
    }

    private Relation describe(TableName table) throws SQLException {
        List<Column> columns = new ArrayList<>();
        int oid = 0;
        ReplicaIdentity identity = ReplicaIdentity.DEFAULT;
        try (PreparedStatement ps = connection.prepareStatement(COLUMNS)) {
            ps.setString(1, table.schema());
            ps.setString(2, table.name());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    columns.add(new Column(rs.getString(1), (int) rs.getLong(2), rs.getInt(3), rs.getBoolean(4)));
                    identity = ReplicaIdentity.fromCode(rs.getString(5).charAt(0));
                    oid = (int) rs.getLong(6);
                }
            }
        }
        return new Relation(oid, table.schema(), table.name(), identity, columns);
    }

    private static String columnList(Relation r) {
        StringBuilder s = new StringBuilder();
        for (Column c : r.columns()) {
            if (s.length() > 0) {
                s.append(", ");
            }
            s.append(Identifiers.quote(c.name()));
        }
        return s.length() == 0 ? "" : s.toString();
    }

    /** Rows of one COPY, read on demand. */
    private final class RowIterator implements Iterator<ChangeEvent> {
        private final CopyOut copy;
        private final Relation relation;
        private final Lsn lsn;
        private byte[] next;
        private boolean done;

        RowIterator(CopyOut copy, Relation relation, Lsn lsn) {
            this.copy = copy;
            this.relation = relation;
            this.lsn = lsn;
        }

        @Override
        public boolean hasNext() {
            if (next == null && !done) {
                try {
                    next = copy.readFromCopy();
                } catch (SQLException e) {
                    throw new SnapshotReadException(e);
                }
                done = next == null;
            }
            return next != null;
        }

        @Override
        public ChangeEvent next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            byte[] row = next;
            next = null;
            return new ChangeEvent.Read(
                    lsn,
                    relation,
                    new Row(relation, CopyTextRow.parse(row, relation.columns().size()), types, false));
        }

        /** Abandons the rest of the COPY, for a snapshot that stops incomplete. */
        void cancel() throws SQLException {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        }

        /** Reads whatever the handler left, so the connection is ready for the next COPY. */
        void finish() throws SQLException {
            while (hasNext()) {
                next = null;
            }
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        }
    }

    /** A failure while the handler iterates snapshot rows; unwrapped by the stream. */
    static final class SnapshotReadException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SnapshotReadException(SQLException cause) {
            super(cause);
        }

        @Override
        public synchronized SQLException getCause() {
            return (SQLException) super.getCause();
        }
    }
}
