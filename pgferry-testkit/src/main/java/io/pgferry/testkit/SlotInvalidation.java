package io.pgferry.testkit;

import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;

/**
 * A server that invalidates a replication slot as soon as it falls behind (PostgreSQL docs, "Replication Slots":
 * {@code max_slot_wal_keep_size}), and the writes that make it fall behind: what a stuck consumer meets in production
 * when the setting is in place, as pgferry's setup guide recommends.
 */
public final class SlotInvalidation {
    private SlotInvalidation() {}

    /** A private server whose slots may hold 1 MB of WAL; the caller closes its {@link PostgresServer#embedded()}. */
    public static PostgresServer startServer() {
        return PostgresServer.startPrivate(Map.of("max_slot_wal_keep_size", "1MB"));
    }

    /**
     * Writes WAL in {@code db} (a server from {@link #startServer()}), switches segments and checkpoints until the
     * server has invalidated {@code slot}, whose consumer has not confirmed those writes: the checkpoint removes the
     * WAL the slot needs, ending its walsender first if one streams from it.
     */
    public static void invalidate(TestDatabase db, String slot) throws SQLException, InterruptedException {
        // A schema of its own, out of the tests' table patterns.
        db.execute(
                "CREATE SCHEMA IF NOT EXISTS slot_invalidation",
                "CREATE TABLE IF NOT EXISTS slot_invalidation.filler (id bigserial PRIMARY KEY, v text)");
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!"lost"
                .equals(db.queryString("SELECT wal_status FROM pg_catalog.pg_replication_slots WHERE slot_name = '"
                        + slot.replace("'", "''") + "'"))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("slot " + slot + " not invalidated within 60 s");
            }
            db.execute(
                    "INSERT INTO slot_invalidation.filler (v) SELECT repeat('x', 100) FROM generate_series(1, 1000)",
                    "SELECT pg_catalog.pg_switch_wal()",
                    "CHECKPOINT");
        }
    }
}
