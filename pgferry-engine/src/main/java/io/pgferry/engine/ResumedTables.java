package io.pgferry.engine;

import io.pgferry.core.PgFerryException;
import io.pgferry.postgres.catalog.TableName;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tables a resumed sync takes: those that were part of it when it began (as its records at the target list them;
 * for Kafka, which keeps no such list, as its publication publishes them), among those its patterns match now. A
 * sync's tables are fixed when it begins, as a subscription's are until it is refreshed: a table its patterns match
 * only now (created at the source since, or matched by patterns widened since) never had its rows copied, and the
 * publication the sync created does not publish its changes, so streaming it would give the destination part of it.
 * Such a table is left out with a warning naming it. Before, it stopped the restart of every sync whose patterns it
 * matched ("target table ... is gone"), with start the sync over, recopying every table, as the fix. Issue 5.
 */
final class ResumedTables {
    private static final Logger log = LoggerFactory.getLogger(ResumedTables.class);

    private ResumedTables() {}

    /**
     * @param matched the tables the sync's patterns match now
     * @param part the tables that were part of the sync when it began, as {@link TableName#toString()} gives them;
     *     empty when the sync's records do not list them, which keeps every matched table
     * @param sync the sync's name, for the warning
     * @param where the record of the sync's tables, for the error when none is left
     */
    static List<TableName> keep(List<TableName> matched, Collection<String> part, String sync, String where) {
        if (part.isEmpty()) {
            return matched;
        }
        Set<String> known = new HashSet<>(part);
        List<TableName> kept = new ArrayList<>();
        for (TableName t : matched) {
            if (known.contains(t.toString())) {
                kept.add(t);
            } else {
                log.warn(
                        "table {} matches the tables of sync {} but was not part of it when it began: the sync leaves"
                                + " it out (to sync it, run a sync of its own for it, with another slot and another"
                                + " publication, or start this sync over)",
                        t,
                        sync);
            }
        }
        if (kept.isEmpty()) {
            throw PgFerryException.fatal(
                    "none of the tables sync " + sync + " began with (" + String.join(", ", part) + ", as " + where
                            + " records them) is among the source tables its patterns match now",
                    "give the sync the table patterns it began with, or start it over under another slot name");
        }
        return kept;
    }
}
