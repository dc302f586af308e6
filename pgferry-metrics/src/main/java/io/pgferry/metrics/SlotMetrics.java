package io.pgferry.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.pgferry.postgres.connect.Connections;
import io.pgferry.postgres.connect.Dsn;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;

/**
 * The replication slot as the source sees it: lag in bytes (the server's WAL position minus the slot's confirmed
 * position), the WAL the slot retains (minus its restart position), the figure that warns before a slot fills the
 * disk, and the WAL left before max_slot_wal_keep_size has the server invalidate it (PostgreSQL docs,
 * "pg_replication_slots", safe_wal_size). Read from {@code pg_replication_slots} on a connection of its own, at
 * most once per {@code maxAge}, whatever the scrape rate; NaN while the source cannot be read.
 */
public final class SlotMetrics implements AutoCloseable {
    private static final String QUERY = "SELECT pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_current_wal_lsn(),"
            + " confirmed_flush_lsn), pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_current_wal_lsn(), restart_lsn),"
            + " active, safe_wal_size FROM pg_catalog.pg_replication_slots WHERE slot_name = ?";

    private final Dsn source;
    private final String slot;
    private final long maxAgeNanos;
    private Connection connection;
    private long readAt;
    private double lag = Double.NaN;
    private double retained = Double.NaN;
    private double active = Double.NaN;
    private double safe = Double.NaN;

    public SlotMetrics(Dsn source, String slot, Duration maxAge) {
        this.source = source;
        this.slot = slot;
        this.maxAgeNanos = maxAge.toNanos();
    }

    public SlotMetrics bind(MeterRegistry registry) {
        Gauge.builder("pgferry.slot.lag.bytes", this, m -> m.read().lag)
                .description("source WAL position minus the slot's confirmed position")
                .baseUnit("bytes")
                .tag("slot", slot)
                .register(registry);
        Gauge.builder("pgferry.slot.retained.wal.bytes", this, m -> m.read().retained)
                .description("WAL the slot keeps on the source's disk")
                .baseUnit("bytes")
                .tag("slot", slot)
                .register(registry);
        Gauge.builder("pgferry.slot.safe.wal.bytes", this, m -> m.read().safe)
                .description("WAL the source may still write before the slot passes max_slot_wal_keep_size and is"
                        + " invalidated; NaN when that is unlimited")
                .baseUnit("bytes")
                .tag("slot", slot)
                .register(registry);
        Gauge.builder("pgferry.slot.active", this, m -> m.read().active)
                .description("1 while a connection streams from the slot")
                .tag("slot", slot)
                .register(registry);
        return this;
    }

    private synchronized SlotMetrics read() {
        long now = System.nanoTime();
        if (readAt != 0 && now - readAt < maxAgeNanos) {
            return this;
        }
        readAt = now;
        try {
            if (connection == null || connection.isClosed()) {
                connection = Connections.open(source);
            }
            try (PreparedStatement ps = connection.prepareStatement(QUERY)) {
                ps.setString(1, slot);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        lag = rs.getDouble(1);
                        retained = rs.getDouble(2);
                        active = rs.getBoolean(3) ? 1 : 0;
                        safe = rs.getDouble(4);
                        if (rs.wasNull()) {
                            safe = Double.NaN;
                        }
                    } else {
                        lag = retained = active = safe = Double.NaN;
                    }
                }
            }
        } catch (SQLException | RuntimeException e) {
            lag = retained = active = safe = Double.NaN;
            close();
        }
        return this;
    }

    @Override
    public synchronized void close() {
        // A metrics connection that fails is opened again at the next read.
        Connections.closeQuietly(connection);
        connection = null;
    }
}
