package io.pgferry.postgres;

import io.pgferry.core.Lsn;
import io.pgferry.core.PgFerryException;
import io.pgferry.core.checkpoint.Checkpoint;
import io.pgferry.postgres.admin.SlotAdmin;
import io.pgferry.postgres.admin.SlotLostException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;

/** The start-up decisions of a stream that need the server's answers but change nothing on it. */
final class StartupChecks {
    private StartupChecks() {}

    /** Refuses a checkpoint that does not fit this configuration or this slot, and a start the slot cannot serve. */
    static void checkCheckpoint(
            StreamConfig config,
            String fingerprint,
            Optional<Checkpoint> checkpoint,
            Optional<SlotAdmin.SlotInfo> slot) {
        if (checkpoint.isPresent() && !checkpoint.get().fingerprint().equals(fingerprint)) {
            throw PgFerryException.fatal(
                    "checkpoint " + config.checkpointStore().describe()
                            + " was written for another source, slot, publication or table list",
                    "use the configuration it was written for, or delete the checkpoint (or pass another) to start"
                            + " from the slot's confirmed position");
        }
        if (checkpoint.isPresent()
                && slot.isPresent()
                && checkpoint.get().lsn().isBefore(slot.get().confirmedFlushLsn())) {
            throw PgFerryException.fatal(
                    "checkpoint " + checkpoint.get().lsn() + " in "
                            + config.checkpointStore().describe()
                            + " is behind slot " + config.slot() + " (confirmed_flush_lsn "
                            + slot.get().confirmedFlushLsn() + "): changes in between are gone from the slot",
                    "drop the slot (" + SlotAdmin.dropSql(config.slot()) + ") and the checkpoint, then start again"
                            + " with a snapshot of the existing rows");
        }
        if (checkpoint.isPresent() && slot.isEmpty()) {
            throw SlotLostException.dropped(
                    config.slot(),
                    checkpoint.get().lsn(),
                    config.checkpointStore().describe());
        }
        if (checkpoint.isEmpty()
                && slot.isPresent()
                && (config.snapshot()
                        || (config.initialCopy() != null
                                && !config.initialCopy().resumable()))) {
            throw PgFerryException.fatal(
                    "slot " + config.slot() + " already exists, so no consistent snapshot can be taken for it",
                    "drop it (" + SlotAdmin.dropSql(config.slot()) + ") to start over with a snapshot, or start"
                            + " without one");
        }
        if (config.fromLsn().isValid()
                && slot.isPresent()
                && config.fromLsn().isBefore(slot.get().confirmedFlushLsn())) {
            throw PgFerryException.fatal(
                    "the start position " + config.fromLsn() + " is behind slot " + config.slot()
                            + " (confirmed_flush_lsn " + slot.get().confirmedFlushLsn()
                            + "): the server no longer has those changes",
                    "give a position at or after " + slot.get().confirmedFlushLsn());
        }
    }

    /** The pgoutput protocol to ask for: the configured one, or the newest the server speaks. */
    static int protocolFor(StreamConfig config, int serverVersion) {
        int max = serverVersion >= 160000 ? 4 : serverVersion >= 150000 ? 3 : serverVersion >= 140000 ? 2 : 0;
        if (max == 0) {
            throw PgFerryException.fatal(
                    "PostgreSQL " + serverVersion / 10000 + " is not supported", "use PostgreSQL 14 or later");
        }
        if (config.protocolVersion() > max) {
            throw PgFerryException.fatal(
                    "pgoutput protocol " + config.protocolVersion() + " needs a newer server than PostgreSQL "
                            + serverVersion / 10000,
                    "omit the protocol version to use " + max);
        }
        return config.protocolVersion() == 0 ? max : config.protocolVersion();
    }

    static Lsn currentWalLsn(Connection sql) throws SQLException {
        try (Statement st = sql.createStatement();
                ResultSet rs = st.executeQuery("SELECT pg_catalog.pg_current_wal_insert_lsn()::text")) {
            rs.next();
            return Lsn.parse(rs.getString(1));
        }
    }

    static int serverVersionNum(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SHOW server_version_num")) {
            rs.next();
            return Integer.parseInt(rs.getString(1));
        }
    }
}
