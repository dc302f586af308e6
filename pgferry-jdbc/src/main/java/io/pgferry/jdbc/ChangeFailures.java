package io.pgferry.jdbc;

import io.pgferry.core.PgFerryException;
import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.Relation;
import io.pgferry.core.event.Row;
import io.pgferry.core.sink.TableFailure;
import java.util.function.Function;

/** The errors {@link JdbcSink} raises about a change itself, as opposed to the destination's SQL errors ({@link JdbcErrors}). */
final class ChangeFailures {
    private ChangeFailures() {}

    /**
     * Names table, column, key and source position of a value the destination cannot hold. The key is named, as
     * PostgreSQL's own constraint errors do, so that the row can be found; no other value is.
     */
    static PgFerryException unrepresentable(
            ChangeEvent change, UnrepresentableValueException e, Function<Relation, TargetTable> target, String where) {
        Row row = change instanceof ChangeEvent.Insert i
                ? i.after()
                : change instanceof ChangeEvent.Update u
                        ? u.after()
                        : change instanceof ChangeEvent.Read r ? r.after() : null;
        StringBuilder key = new StringBuilder();
        if (row != null) {
            StringBuilder names = new StringBuilder();
            StringBuilder values = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                if (row.column(i).key()) {
                    names.append(names.length() == 0 ? "" : ", ")
                            .append(row.column(i).name());
                    values.append(values.length() == 0 ? "" : ", ").append(row.isNull(i) ? "NULL" : row.text(i));
                }
            }
            if (names.length() > 0) {
                key.append(", key (").append(names).append(")=(").append(values).append(')');
            }
        }
        String table = row == null ? "?" : target.apply(row.relation()).toString();
        PgFerryException failure = PgFerryException.fatal(
                "table " + table + ", column " + e.column().name() + key
                        + (change.lsn().isValid() ? ", at source position " + change.lsn() : ", in the initial copy")
                        + ": "
                        + e.getMessage() + " at " + where,
                "choose the null or clamp policy for unrepresentable values, or change the value at the source",
                e);
        return row == null
                ? failure
                : TableFailure.of(row.relation().schema(), row.relation().table(), failure);
    }

    /**
     * A key change replayed after a chunked copy moved a row that no chunk copied, and left a TOASTed value unchanged:
     * the update does not carry it, and the destination has no row to take it from.
     */
    static PgFerryException movedRowIncomplete(Relation relation, TargetTable target, String column) {
        return TableFailure.of(
                relation.schema(),
                relation.table(),
                PgFerryException.fatal(
                        "a row of table " + target + " changed its key while the chunked copy read the table, no chunk"
                                + " copied it, and the change left column " + column
                                + " (stored out of line) unchanged, so its value is not in the stream",
                        "copy the table again, from one snapshot if its keys change while it is copied"));
    }

    static PgFerryException noReplayKey(Relation relation, TargetTable target) {
        return TableFailure.of(
                relation.schema(),
                relation.table(),
                PgFerryException.fatal(
                        "table " + target
                                + " has replica identity FULL, so the changes made during a copy cannot be"
                                + " replayed by key",
                        "give the source table a primary key with replica identity DEFAULT, or copy it from a snapshot"));
    }
}
