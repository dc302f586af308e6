package io.pgferry.postgres;

import io.pgferry.core.Lsn;
import io.pgferry.core.PgFerryException;
import io.pgferry.core.checkpoint.Checkpoint;
import io.pgferry.postgres.catalog.CatalogTypes;
import io.pgferry.postgres.connect.Connections;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stream's start-up, on the caller's thread: every check first (server, publication, tables, replication rights,
 * checkpoint), then creation of what is missing (publication, slot). If it fails, it leaves nothing behind: what it
 * opened is closed and a publication it created is dropped.
 */
final class StreamStartup {
    private static final Logger log = LoggerFactory.getLogger(StreamStartup.class);

    /**
     * What start-up opened and decided.
     *
     * @param createdSlot the slot created now, or null when it existed
     * @param resumeCopyAt where a resumable initial copy that an earlier run left unfinished resumes; null when none
     * @param untilLsn the end position, or INVALID to stream until stopped
     * @param start the position streaming starts from, which is also what counts as acknowledged
     */
    record Started(
            Connection sql,
            ReplicationSession session,
            int protocol,
            ReplicationSetup.Plan plan,
            String fingerprint,
            ReplicationSession.CreatedSlot createdSlot,
            Lsn resumeCopyAt,
            Lsn untilLsn,
            Lsn start) {}

    private StreamStartup() {}

    static Started run(StreamConfig config, HandlerCalls handler, CatalogTypes types) {
        Connection sql = null;
        ReplicationSession session = null;
        try {
            sql = Connections.open(config.source());
            types.useConnection(sql);
            int serverVersion = StartupChecks.serverVersionNum(sql);
            int protocol = StartupChecks.protocolFor(config, serverVersion);
            if (config.twoPhase() && protocol < 3) {
                throw PgFerryException.fatal(
                        "two-phase decoding needs PostgreSQL 15 or later (pgoutput protocol 3)",
                        "turn two-phase off for this server");
            }
            ReplicationSetup setup = new ReplicationSetup(sql, config);
            ReplicationSetup.Plan plan = setup.validate();
            if (config.binary()) {
                BinaryFormatCheck.require(sql, plan.tables(), types);
            }
            // The replication connection comes before anything is created: a role without the REPLICATION
            // attribute is told so first (not about a publication privilege), and nothing is left to undo.
            session = new ReplicationSession(Connections.openReplication(config.source()));
            String fingerprint = config.fingerprint(session.identifySystem());
            config.checkpointStore().bind(fingerprint);
            Optional<Checkpoint> checkpoint = config.checkpointStore().load();
            StartupChecks.checkCheckpoint(config, fingerprint, checkpoint, plan.slot());
            handler.resume(
                    checkpoint.map(Checkpoint::outputLength).orElse(OptionalLong.empty()),
                    config.checkpointStore().describe());
            Lsn start = checkpoint.map(Checkpoint::lsn).orElse(Lsn.INVALID);
            Lsn resumeCopyAt = null;
            // An existing slot resumes at its confirmed position (or the checkpoint ahead of it): that is what is
            // acknowledged so far, and what the server would start from anyway.
            if (plan.slot().isPresent()) {
                start = Lsn.max(start, plan.slot().get().confirmedFlushLsn());
                if (checkpoint.isEmpty()
                        && config.initialCopy() != null
                        && config.initialCopy().resumable()) {
                    // Nothing was confirmed from the slot before its copy ended, so it still starts where the copy
                    // began.
                    resumeCopyAt = plan.slot().get().confirmedFlushLsn();
                }
            }
            if (config.fromLsn().isValid()) {
                start = Lsn.max(start, config.fromLsn());
            }
            Lsn untilLsn = config.untilCaughtUp() ? StartupChecks.currentWalLsn(sql) : config.untilLsn();
            ReplicationSession.CreatedSlot createdSlot = null;
            boolean createdPublication = setup.createPublication(plan);
            try {
                if (plan.slot().isEmpty()) {
                    ReplicationSession creating = session;
                    createdSlot = SlotCreationWatch.during(
                            sql,
                            config.slot(),
                            () -> creating.createSlot(
                                    config.slot(),
                                    config.snapshot()
                                            || (config.initialCopy() != null
                                                    && config.initialCopy().needsSnapshot()),
                                    config.twoPhase(),
                                    serverVersion));
                    start = Lsn.max(start, createdSlot.consistentPoint());
                    log.info("created slot {} at {}", config.slot(), createdSlot.consistentPoint());
                }
            } catch (SQLException | RuntimeException e) {
                // The replication connection goes first: it may still be creating the slot.
                session.close();
                session = null;
                if (createdPublication) {
                    setup.dropPublication();
                }
                throw e;
            }
            return new Started(sql, session, protocol, plan, fingerprint, createdSlot, resumeCopyAt, untilLsn, start);
        } catch (SQLException e) {
            close(session, sql);
            throw Connections.classify(e, config.source());
        } catch (RuntimeException e) {
            close(session, sql);
            throw e;
        }
    }

    private static void close(ReplicationSession session, Connection sql) {
        if (session != null) {
            session.close();
        }
        if (sql != null) {
            try {
                sql.close();
            } catch (SQLException e) {
                // Abandoning the connection after a failed start; the server cleans up its side.
            }
        }
    }
}
