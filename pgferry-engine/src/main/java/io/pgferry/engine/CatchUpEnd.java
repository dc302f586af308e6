package io.pgferry.engine;

import io.pgferry.core.Lsn;
import io.pgferry.core.PgFerryException;
import io.pgferry.core.sink.TableState;
import io.pgferry.engine.config.SyncConfig;
import io.pgferry.engine.copy.ChunkedCopy;
import io.pgferry.engine.schema.SourceTable;
import io.pgferry.jdbc.JdbcErrors;
import io.pgferry.jdbc.SyncCatalog;
import io.pgferry.jdbc.TargetTable;
import io.pgferry.postgres.catalog.TableName;
import io.pgferry.postgres.connect.Connections;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The end of a PostgreSQL target's catch-up: what makes its tables streaming. */
final class CatchUpEnd {
    private static final Logger log = LoggerFactory.getLogger(CatchUpEnd.class);

    private CatchUpEnd() {}

    /**
     * Marks the tables streaming once the target is exact: at once, or after a chunked copy only when the target has
     * passed the position from which changes apply exactly ({@code replayed}: the apply says it just has), having
     * then built what the replay could have violated. Returns whether the tables are streaming.
     */
    static boolean finish(
            SyncConfig config,
            SyncCatalog catalog,
            List<SourceTable> tables,
            Map<TableName, TargetTable> targets,
            Set<TableName> created,
            boolean replayed) {
        try (Connection c = Connections.open(config.target())) {
            Optional<SyncCatalog.Position> p = catalog.position(c);
            Optional<Lsn> exactFrom = p.flatMap(SyncCatalog.Position::exactFrom);
            if (exactFrom.isPresent()) {
                Optional<Lsn> at = p.flatMap(SyncCatalog.Position::lsn);
                if (!replayed && (at.isEmpty() || at.get().isBefore(exactFrom.get()))) {
                    return false;
                }
                ChunkedCopy.buildAfterReplay(config, tables, targets, created, () -> Connections.open(config.target()));
            }
        } catch (SQLException e) {
            throw JdbcErrors.classify(e, "could not finish the catch-up of sync " + config.slot());
        } catch (PgFerryException | IllegalStateException e) {
            throw e;
        } catch (Exception e) {
            throw PgFerryException.fatal(
                    "could not finish the catch-up of sync " + config.slot() + ": " + e.getMessage(),
                    "see the cause",
                    e);
        }
        markStreaming(config, catalog);
        return true;
    }

    private static void markStreaming(SyncConfig config, SyncCatalog catalog) {
        try (Connection c = Connections.open(config.target())) {
            catalog.setAllStates(c, TableState.STREAMING);
        } catch (SQLException e) {
            log.warn(
                    "could not record the tables as streaming: {}",
                    JdbcErrors.classify(e, "state update").getMessage());
        }
    }
}
