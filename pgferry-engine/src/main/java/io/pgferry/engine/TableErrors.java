package io.pgferry.engine;

import io.pgferry.core.PgFerryException;
import io.pgferry.core.sink.TableFailure;
import io.pgferry.jdbc.JdbcErrors;
import io.pgferry.jdbc.SyncCatalog;
import io.pgferry.postgres.catalog.TableName;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records the table that stopped a sync: a fatal {@link TableFailure} in the chain of the error that ends a run moves
 * that table to the error state in the sync's catalog, with the failure's problem as its error, so that a status
 * read from the destination alone names the table and what went wrong. A retriable failure is not recorded: the
 * stream retries it, and the table has not stopped. The next run that gets the table streaming again clears it.
 */
final class TableErrors {
    private static final Logger log = LoggerFactory.getLogger(TableErrors.class);

    private TableErrors() {}

    /**
     * Records {@code e}'s table failure, if it has a fatal one, on a connection of its own; a failure to record is
     * logged and swallowed, so that the caller rethrows {@code e} itself. Returns the table recorded, if any.
     */
    static Optional<TableName> record(RuntimeException e, SyncCatalog catalog, Supplier<Connection> connect) {
        Optional<TableFailure> failure = TableFailure.in(e).filter(f -> !f.isRetriable());
        if (failure.isEmpty()) {
            return Optional.empty();
        }
        TableName table = new TableName(failure.get().schema(), failure.get().table());
        try (Connection c = connect.get()) {
            c.setAutoCommit(true);
            if (!catalog.setError(c, table.toString(), failure.get().problem())) {
                return Optional.empty();
            }
            return Optional.of(table);
        } catch (SQLException | RuntimeException recording) {
            log.warn(
                    "could not record table {} in the error state: {}",
                    table,
                    recording instanceof SQLException s
                            ? JdbcErrors.classify(s, "state update").getMessage()
                            : recording instanceof PgFerryException p
                                    ? p.getMessage()
                                    : recording.getClass().getName());
            return Optional.empty();
        }
    }
}
