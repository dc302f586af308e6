package io.pgferry.jdbc;

import io.pgferry.core.PgFerryException;
import io.pgferry.core.event.Column;
import io.pgferry.core.event.Relation;
import java.sql.Connection;
import java.sql.SQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A column the source table gained while streaming, added to the destination table by a {@link JdbcSink}. */
final class AddedColumns {
    private static final Logger log = LoggerFactory.getLogger(AddedColumns.class);

    private final Connection connection;
    private final Dialect dialect;
    private final OpenRuns open;

    /** @param open the sink's open runs on {@code connection}, its batch's connection */
    AddedColumns(Connection connection, Dialect dialect, OpenRuns open) {
        this.connection = connection;
        this.dialect = dialect;
        this.open = open;
    }

    /**
     * Adds {@code column} to {@code target} within the open batch, after writing its open runs; with {@code
     * severalWriters}, only if it is not there yet (see {@link JdbcSink#severalWriters}).
     */
    void add(boolean severalWriters, TargetTable target, Relation relation, Column column, String existing)
            throws SQLException {
        if (!dialect.transactionalDdl()) {
            outsideBatch(severalWriters, target, relation, column, existing);
            return;
        }
        open.flush();
        if (severalWriters) {
            dialect.addColumnIfAbsent(connection, target, relation, column, existing);
        } else {
            dialect.addColumn(connection, target, relation, column, existing);
        }
        log.warn("added column {} to target table {}, as at the source", column.name(), target);
    }

    /**
     * Where DDL commits the open transaction, committing part of a batch without its position would break
     * exactly-once: the batch is rolled back instead, the column added on its own, and the batch failed as
     * retriable, so the engine applies it again, this time with the column already there. The dialect gives the
     * existing rows their value with the column itself; a column that was there before has its NULLs filled inside the
     * batch.
     */
    private void outsideBatch(
            boolean severalWriters, TargetTable target, Relation relation, Column column, String existing)
            throws SQLException {
        if (dialect.hasColumn(connection, target, column.name())) {
            if (!severalWriters) {
                open.flush();
                dialect.fillAdded(connection, target, relation, column, existing);
            }
            return;
        }
        open.clear();
        connection.rollback();
        if (severalWriters) {
            dialect.addColumnIfAbsent(connection, target, relation, column, existing);
        } else {
            dialect.addColumn(connection, target, relation, column, existing);
        }
        connection.commit();
        log.warn(
                "added column {} to target table {}, as at the source; the batch is applied again after it",
                column.name(),
                target);
        throw PgFerryException.retriable(
                "column " + column.name() + " was added to " + target + " outside the open batch, which is applied"
                        + " again",
                "nothing to do: the batch is retried at once",
                null);
    }
}
