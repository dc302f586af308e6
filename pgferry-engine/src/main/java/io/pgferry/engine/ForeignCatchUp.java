package io.pgferry.engine;

import io.pgferry.core.Lsn;
import io.pgferry.core.sink.TableState;
import io.pgferry.engine.config.SyncConfig;
import io.pgferry.jdbc.JdbcErrors;
import io.pgferry.jdbc.SyncCatalog;
import io.pgferry.jdbc.foreign.JdbcTarget;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end of a catch-up at a destination that is not PostgreSQL, as its catalog records it: the tables are streaming
 * once the destination is exact, that is at once, or after a chunked copy once it has passed the position from which
 * changes apply exactly. Each call opens a connection of its own.
 */
final class ForeignCatchUp {
    private static final Logger log = LoggerFactory.getLogger(ForeignCatchUp.class);

    private final SyncConfig config;
    private final SyncCatalog catalog;
    private final JdbcTarget target;
    private final String where;

    ForeignCatchUp(SyncConfig config, SyncCatalog catalog) {
        this.config = config;
        this.catalog = catalog;
        this.target = config.foreignTarget();
        this.where = target.description();
    }

    /** The position from which changes apply exactly, as the destination records it; INVALID when all do. */
    Lsn exactFrom() {
        try (Connection c = target.connect()) {
            return catalog.position(c).flatMap(SyncCatalog.Position::exactFrom).orElse(Lsn.INVALID);
        } catch (SQLException e) {
            throw JdbcErrors.classify(e, "could not read the position of sync " + config.slot() + " at " + where);
        }
    }

    /** Whether the destination has passed the end of any replay after a chunked copy; false when it cannot tell. */
    boolean replayed() {
        try (Connection c = target.connect()) {
            Optional<SyncCatalog.Position> p = catalog.position(c);
            Optional<Lsn> exact = p.flatMap(SyncCatalog.Position::exactFrom);
            Optional<Lsn> at = p.flatMap(SyncCatalog.Position::lsn);
            return exact.isEmpty() || (at.isPresent() && !at.get().isBefore(exact.get()));
        } catch (SQLException e) {
            log.warn(
                    "could not read the position of sync {}: {}",
                    config.slot(),
                    JdbcErrors.classify(e, "position").getMessage());
            return false;
        }
    }

    boolean allStreaming() throws SQLException {
        try (Connection c = target.connect()) {
            return catalog.states(c).stream().allMatch(SyncEngine::streams);
        }
    }

    boolean markStreaming() {
        try (Connection c = target.connect()) {
            catalog.setAllStates(c, TableState.STREAMING);
            return true;
        } catch (SQLException e) {
            log.warn(
                    "could not record the tables as streaming: {}",
                    JdbcErrors.classify(e, "state update").getMessage());
            return false;
        }
    }
}
