package io.pgferry.engine;

import io.pgferry.core.Lsn;
import io.pgferry.core.sink.SourceState;
import io.pgferry.jdbc.SyncCatalog;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A SQL destination as {@link SourceWatch} records in it: its {@code source_state} row in the sync's catalog, over a
 * connection of its own in autocommit, opened on first use (the observation time stored is the destination's clock, as
 * the catalog's other times are). The position is the catalog's, which the stream also moves past WAL that carried
 * nothing for the sync ({@code TargetCheckpointStore}).
 */
final class CatalogDestination implements SourceWatch.Destination {
    private static final Logger log = LoggerFactory.getLogger(CatalogDestination.class);

    private final SyncCatalog catalog;
    private final Supplier<Connection> target;
    private Connection connection;

    CatalogDestination(SyncCatalog catalog, Supplier<Connection> target) {
        this.catalog = catalog;
        this.target = target;
    }

    private Connection connection() throws SQLException {
        if (connection == null) {
            connection = target.get();
            connection.setAutoCommit(true);
        }
        return connection;
    }

    @Override
    public Optional<Lsn> position() throws SQLException {
        return catalog.position(connection()).flatMap(SyncCatalog.Position::lsn);
    }

    @Override
    public void save(SourceState seen) throws SQLException {
        catalog.sourceStates()
                .save(
                        connection(),
                        seen.walPosition(),
                        seen.slotStatus(),
                        seen.slotConfirmedFlush(),
                        seen.slotRetainedBytes(),
                        seen.caughtUpAt());
    }

    @Override
    public void reset() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                log.debug("close failed; the connection is abandoned");
            }
        }
        connection = null;
    }
}
