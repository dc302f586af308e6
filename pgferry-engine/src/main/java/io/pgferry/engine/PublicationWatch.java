package io.pgferry.engine;

import io.pgferry.core.PgFerryException;
import io.pgferry.postgres.admin.PublicationChecks;
import io.pgferry.postgres.catalog.TableName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices a table of a running sync leaving the sync's publication ({@code ALTER PUBLICATION ... DROP TABLE} by
 * hand): the slot decodes none of its changes from then on, and adding it back does not bring them, since the slot
 * decodes past WAL under the publication as it was then (PostgreSQL docs, "Logical Replication", "Publication"). A
 * start of the sync finds such a table and copies it afresh, or refuses with the fix ({@link AddedTables}); this
 * watch makes a running sync do the same as soon as it looks, rather than leave the table behind until its next
 * start. Regression (issue 5): a table taken out of the publication while the sync ran stayed behind, without an
 * error, until the sync was started again.
 *
 * <p>A start leaves every table it streams published (or refuses), so any of them unpublished while the publication
 * exists has left it; the engine refuses to start again and again for the same tables ({@link #refuseAgain}). A
 * publication not there yet (a sync that begins creates it as its stream starts) is not looked at; a table dropped or
 * renamed at the source left the publication with its name and is not reported. Used by {@link SourceWatch}'s thread
 * only.
 */
final class PublicationWatch {
    private static final Logger log = LoggerFactory.getLogger(PublicationWatch.class);

    /** A run that ends this soon for the tables that ended the run before is not started again. */
    static final Duration AGAIN_WITHIN = Duration.ofMinutes(1);

    private final String slot;
    private final String publication;
    private final List<TableName> tables;
    private final Consumer<List<TableName>> onLeft;
    private final BooleanSupplier started;
    private boolean reported;

    /**
     * Watches {@code tables} in {@code publication} once {@code started} says the stream has checked or created the
     * publication, calling {@code onLeft} once, with those that left it, from the thread that calls {@link #look}.
     */
    PublicationWatch(
            String slot,
            String publication,
            List<TableName> tables,
            Consumer<List<TableName>> onLeft,
            BooleanSupplier started) {
        this.slot = slot;
        this.publication = publication;
        this.tables = List.copyOf(tables);
        this.onLeft = onLeft;
        this.started = started;
    }

    /** Looks at the publication once, on {@code source}. */
    void look(Connection source) throws SQLException {
        if (reported || !started.getAsBoolean()) {
            // Before the stream's own checks, which refuse a publication of the user's without the table.
            return;
        }
        PublicationChecks p = new PublicationChecks(source, publication);
        if (!p.exists()) {
            // A dropped publication fails the stream at the source's next change, with its own error.
            return;
        }
        List<TableName> gone = tables.stream().filter(t -> !p.publishes(t)).toList();
        if (gone.isEmpty()) {
            return;
        }
        List<TableName> left = existing(source, gone);
        if (!left.isEmpty()) {
            reported = true;
            log.warn(
                    "{} of sync {} left publication {} while the sync streamed (taken out by hand?): the slot decodes"
                            + " none of its changes since; the sync starts again, and the start copies it afresh into"
                            + " a publication the sync created, or refuses with the fix",
                    left.size() == 1 ? "table " + left.get(0) : "tables " + left,
                    slot,
                    publication);
            onLeft.accept(left);
        }
    }

    /**
     * Refuses to start sync {@code slot} again for {@code left} when its run before ended for the same tables and
     * this run lasted less than {@link #AGAIN_WITHIN}: a start that accepts a table this watch finds unpublished would
     * otherwise copy it again and again.
     */
    static void refuseAgain(
            String slot, String publication, List<TableName> left, List<TableName> before, long runNanos) {
        if (left.equals(before) && runNanos < AGAIN_WITHIN.toNanos()) {
            throw PgFerryException.fatal(
                    "sync " + slot + " started again for " + left + ", and they left publication " + publication
                            + " again within " + AGAIN_WITHIN.toSeconds() + " s",
                    "publish them in " + publication + " (ALTER PUBLICATION ... ADD TABLE), or leave them out of the"
                            + " sync's tables, and start the sync again");
        }
    }

    /** Those of {@code names} that name a table at the source. */
    private static List<TableName> existing(Connection source, List<TableName> names) throws SQLException {
        List<TableName> out = new ArrayList<>();
        try (PreparedStatement ps = source.prepareStatement("SELECT pg_catalog.to_regclass(?) IS NOT NULL")) {
            for (TableName t : names) {
                ps.setString(1, t.quoted());
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next() && rs.getBoolean(1)) {
                        out.add(t);
                    }
                }
            }
        }
        return out;
    }
}
