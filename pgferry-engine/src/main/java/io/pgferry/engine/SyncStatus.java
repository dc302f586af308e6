package io.pgferry.engine;

import io.pgferry.core.Lsn;
import io.pgferry.core.PgFerryException;
import io.pgferry.core.sink.SourceState;
import io.pgferry.jdbc.CopyChunks;
import io.pgferry.jdbc.JdbcErrors;
import io.pgferry.jdbc.PostgresDialect;
import io.pgferry.jdbc.SyncCatalog;
import io.pgferry.jdbc.TargetTable;
import io.pgferry.jdbc.Unrepresentable;
import io.pgferry.jdbc.foreign.ForeignDialect;
import io.pgferry.jdbc.foreign.JdbcTarget;
import io.pgferry.kafka.KafkaPositions;
import io.pgferry.kafka.KafkaTableStates;
import io.pgferry.kafka.KafkaTarget;
import io.pgferry.postgres.admin.SlotAdmin;
import io.pgferry.postgres.connect.Connections;
import io.pgferry.postgres.connect.Dsn;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the syncs into a target have recorded there: position, per-table states and counters, and the lag in bytes
 * and the state of the slot. With the source at hand those two are read from it now; without, they are what the
 * running sync last recorded ({@link SourceWatch}), with the time it did. Reads only.
 */
public final class SyncStatus {
    /**
     * One sync's report. Lag fields are null when unknown (nothing applied yet, or no source given and no record of
     * a sync's view of it). {@code sourceSeenAt} is null when lag and slot were read from the source now, else when
     * the sync recorded them. {@code exactFrom} is set after a chunked copy: changes before it are replayed
     * idempotently; {@code chunks} holds the chunks done and planned per source table, empty unless the copy was
     * chunked. {@code handedOverTo} names the subscription at the target that took the sync's slot over ({@code
     * --then-subscribe}), null otherwise: its lag is then the subscription's, from the slot's confirmed position read
     * at the source now, and unknown without the source (the sync's record of it ended with the hand-off).
     */
    public record Report(
            String sync,
            Optional<Lsn> position,
            Instant sourceCommitTime,
            Instant updatedAt,
            Long lagBytes,
            Duration lagTime,
            SlotState slot,
            Instant sourceSeenAt,
            List<SyncCatalog.TableStatus> tables,
            Optional<Lsn> exactFrom,
            Map<String, CopyChunks.Progress> chunks,
            String handedOverTo) {}

    /**
     * The slot at the source; null in a report made without the source and no record of the sync's view of it.
     *
     * @param invalidation why the source invalidated the slot ({@link SlotAdmin.SlotInfo#invalidation()}); null while
     *     it is usable, and in a report from the sync's record (a running sync's slot is usable)
     */
    public record SlotState(
            boolean exists, boolean active, Lsn confirmedFlush, Long retainedBytes, String invalidation) {}

    /** The source's WAL position and its slot, as seen at one moment. */
    record SourceView(Lsn walPosition, SlotState slot) {}

    private SyncStatus() {}

    /**
     * @param source the source, or null to report from the target alone
     * @param sync one sync (its slot name), or null for all
     */
    public static List<Report> read(Dsn target, Dsn source, String catalogSchema, String sync) {
        PostgresDialect dialect = new PostgresDialect();
        try (Connection t = Connections.open(target)) {
            if (!exists(t, dialect.quote(catalogSchema) + ".sync_progress")) {
                throw PgFerryException.fatal(
                        "no sync has run against " + target.endpoints() + "/" + target.dbname() + " (no "
                                + catalogSchema + ".sync_progress table)",
                        "check the target DSN, or start a sync first");
            }
            List<String> names = sync != null ? List.of(sync) : SyncCatalog.syncNames(t, dialect, catalogSchema);
            List<Report> out = new ArrayList<>();
            try (Connection s = source == null ? null : Connections.open(source)) {
                for (String name : names) {
                    SyncCatalog catalog = new SyncCatalog(dialect, catalogSchema, name);
                    Optional<SyncCatalog.Position> p = catalog.position(t);
                    if (p.isEmpty()) {
                        throw PgFerryException.fatal(
                                "the target has no sync named " + name,
                                "ask for the status of every sync to list them");
                    }
                    Map<String, CopyChunks.Progress> chunks = exists(t, dialect.quote(catalogSchema) + ".copy_chunk")
                            ? new CopyChunks(dialect, catalogSchema, name).progress(t)
                            : Map.of();
                    Optional<SourceState> seen = exists(t, dialect.quote(catalogSchema) + ".source_state")
                            ? catalog.sourceStates().read(t)
                            : Optional.empty();
                    String subscription = HandOver.subscriptionUsing(t, name).orElse(null);
                    out.add(report(name, p.get(), catalog.states(t), chunks, s, source, seen, subscription));
                }
            }
            return out;
        } catch (SQLException e) {
            throw JdbcErrors.classify(e, "could not read the sync status");
        }
    }

    /** As {@link #read(Dsn, Dsn, String, String)}, for a target that is not PostgreSQL. */
    public static List<Report> read(JdbcTarget target, Dsn source, String catalogSchema, String sync) {
        try (Connection t = target.connect()) {
            ForeignDialect dialect = target.dialect(t, Unrepresentable.ERROR);
            List<String> names;
            try {
                names = sync != null ? List.of(sync) : SyncCatalog.syncNames(t, dialect, catalogSchema);
            } catch (SQLException e) {
                throw PgFerryException.fatal(
                        "no sync has run against " + target.description() + " (no " + catalogSchema
                                + "_sync_progress table)",
                        "check the target URI, or start a sync first");
            }
            List<Report> out = new ArrayList<>();
            try (Connection s = source == null ? null : Connections.open(source)) {
                for (String name : names) {
                    SyncCatalog catalog = new SyncCatalog(dialect, catalogSchema, name);
                    Optional<SyncCatalog.Position> p = catalog.position(t);
                    if (p.isEmpty()) {
                        throw PgFerryException.fatal(
                                "the target has no sync named " + name,
                                "ask for the status of every sync to list them");
                    }
                    out.add(report(
                            name,
                            p.get(),
                            catalog.states(t),
                            chunks(catalog, t),
                            s,
                            source,
                            recorded(catalog, t),
                            null));
                }
            }
            return out;
        } catch (SQLException e) {
            throw JdbcErrors.classify(e, "could not read the sync status");
        }
    }

    /**
     * As {@link #read(Dsn, Dsn, String, String)}, for a Kafka target: the positions in the offsets topic of its
     * prefix, of its sync alone when {@code onlyThisSync}, and the table states in its table-state topic ({@link
     * KafkaTableStates}; none for a sync of a release that kept none). Lag and slot need the source.
     */
    public static List<Report> read(KafkaTarget target, Dsn source, boolean onlyThisSync) {
        List<KafkaPositions.StoredPosition> stored = KafkaPositions.readAll(target, onlyThisSync);
        if (onlyThisSync && stored.size() == 1 && stored.get(0).copyUnfinished()) {
            throw PgFerryException.fatal(
                    "the initial copy of sync " + target.syncName() + " under topic prefix " + target.topicPrefix()
                            + " has begun and stored no position yet: it is running, or it was interrupted",
                    "wait for it to end, or run the sync again, which starts an interrupted copy over");
        }
        if (stored.isEmpty()) {
            throw PgFerryException.fatal(
                    onlyThisSync
                            ? "Kafka holds no position of sync " + target.syncName() + " under topic prefix "
                                    + target.topicPrefix()
                            : "Kafka holds no sync position under topic prefix " + target.topicPrefix(),
                    "check the target's topic.prefix and the slot name, or start a sync first");
        }
        KafkaTableStates.Contents contents = KafkaTableStates.read(target, onlyThisSync ? target.syncName() : null);
        Map<String, List<KafkaTableStates.Stored>> states = contents.tables();
        List<Report> out = new ArrayList<>();
        try (Connection s = source == null ? null : Connections.open(source)) {
            for (KafkaPositions.StoredPosition p : stored) {
                SyncCatalog.Position position =
                        new SyncCatalog.Position("", p.lsn(), p.sourceCommitTime(), p.storedAt(), Optional.empty());
                List<SyncCatalog.TableStatus> tables = new ArrayList<>();
                for (KafkaTableStates.Stored t : states.getOrDefault(p.sync(), List.of())) {
                    // The topic, shown where a SQL target shows its table: prefix, then the rest of the name.
                    String prefix = target.topicPrefix();
                    TargetTable topic = t.topic().startsWith(prefix + ".")
                            ? new TargetTable(prefix, t.topic().substring(prefix.length() + 1))
                            : new TargetTable("", t.topic());
                    tables.add(new SyncCatalog.TableStatus(
                            t.table(),
                            topic,
                            t.state(),
                            t.rowsCopied(),
                            t.bytesCopied(),
                            false,
                            t.error(),
                            t.updatedAt()));
                }
                out.add(report(
                        p.sync(),
                        position,
                        tables,
                        Map.of(),
                        s,
                        source,
                        Optional.ofNullable(contents.sources().get(p.sync())),
                        null));
            }
            return out;
        } catch (SQLException e) {
            throw JdbcErrors.classify(e, "could not read the source's state for the sync status");
        }
    }

    private static Report report(
            String name,
            SyncCatalog.Position p,
            List<SyncCatalog.TableStatus> tables,
            Map<String, CopyChunks.Progress> chunks,
            Connection s,
            Dsn source,
            Optional<SourceState> recorded,
            String handedOverTo)
            throws SQLException {
        Long lagBytes = null;
        Duration lagTime = null;
        SourceView view = null;
        Instant seenAt = null;
        if (s != null) {
            view = observe(s, source, name);
            if (handedOverTo != null) {
                // The subscription's progress is the slot's: the sync's position stopped at the hand-off.
                Lsn confirmed = view.slot().confirmedFlush();
                if (confirmed != null) {
                    lagBytes = Math.max(0, view.walPosition().value() - confirmed.value());
                    lagTime = lagBytes == 0 ? Duration.ZERO : null;
                }
            }
        } else if (recorded.isPresent() && handedOverTo == null) {
            SourceState r = recorded.get();
            boolean exists = !"missing".equals(r.slotStatus());
            view = new SourceView(
                    r.walPosition(),
                    new SlotState(
                            exists,
                            "active".equals(r.slotStatus()),
                            r.slotConfirmedFlush(),
                            r.slotRetainedBytes(),
                            null));
            seenAt = r.observedAt();
        }
        if (view != null && p.lsn().isPresent() && handedOverTo == null) {
            lagBytes = Math.max(0, view.walPosition().value() - p.lsn().get().value());
            lagTime = lagTime(
                    lagBytes,
                    p.sourceCommitTime(),
                    recorded.map(SourceState::caughtUpAt).orElse(null),
                    seenAt != null ? seenAt : Instant.now());
        }
        return new Report(
                name,
                p.lsn(),
                p.sourceCommitTime(),
                p.updatedAt(),
                lagBytes,
                lagTime,
                view == null ? null : view.slot(),
                seenAt,
                tables,
                p.exactFrom(),
                chunks,
                handedOverTo);
    }

    /**
     * How long ago the source wrote the oldest change the sync has not applied, at {@code now}: zero without WAL
     * left to read. Else both times bound it: every change not applied was committed after the last applied one
     * ({@code lastCommit}), and written after the time by which the source had written everything the position
     * covers ({@code caughtUpAt}, as the running sync estimated it); the later of the two is the closer bound. The
     * first alone grows without end while the synced tables are idle and the rest of the source writes on. Zero when
     * neither is known (no change applied yet).
     */
    static Duration lagTime(long lagBytes, Instant lastCommit, Instant caughtUpAt, Instant now) {
        Instant from = lastCommit == null
                ? caughtUpAt
                : caughtUpAt == null || lastCommit.isAfter(caughtUpAt) ? lastCommit : caughtUpAt;
        if (lagBytes == 0 || from == null || !from.isBefore(now)) {
            return Duration.ZERO;
        }
        return Duration.between(from, now);
    }

    /**
     * The source's WAL position (on a standby, the replayed one: PostgreSQL 16 and later decode there) and the state
     * of slot {@code slot}, read now.
     */
    static SourceView observe(Connection s, Dsn source, String slot) throws SQLException {
        Lsn current;
        try (PreparedStatement ps = s.prepareStatement("SELECT (CASE WHEN pg_catalog.pg_is_in_recovery()"
                        + " THEN pg_catalog.pg_last_wal_replay_lsn() ELSE pg_catalog.pg_current_wal_lsn() END)::text");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            current = Lsn.parse(rs.getString(1));
        }
        Optional<SlotAdmin.SlotInfo> info = new SlotAdmin(s, source).find(slot);
        SlotState state = info.map(i ->
                        new SlotState(true, i.active(), i.confirmedFlushLsn(), i.retainedWalBytes(), i.invalidation()))
                .orElse(new SlotState(false, false, null, null, null));
        return new SourceView(current, state);
    }

    /** The sync's recorded view of the source; none from a catalog made before that record existed. */
    private static Optional<SourceState> recorded(SyncCatalog catalog, Connection t) {
        try {
            return catalog.sourceStates().read(t);
        } catch (SQLException e) {
            return Optional.empty();
        }
    }

    /** A foreign destination's chunked copy, or none where its catalog was made by a release without one. */
    private static Map<String, CopyChunks.Progress> chunks(SyncCatalog catalog, Connection t) {
        try {
            return catalog.copyChunks().progress(t);
        } catch (SQLException e) {
            return Map.of();
        }
    }

    /** Whether relation {@code relation} (qualified, quoted) exists at PostgreSQL connection {@code c}. */
    static boolean exists(Connection c, String relation) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_catalog.to_regclass(?) IS NOT NULL")) {
            ps.setString(1, relation);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }
}
