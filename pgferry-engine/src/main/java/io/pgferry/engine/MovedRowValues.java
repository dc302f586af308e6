package io.pgferry.engine;

import io.pgferry.core.Lsn;
import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.Relation;
import io.pgferry.core.event.Row;
import io.pgferry.core.pgoutput.TupleData;
import io.pgferry.postgres.catalog.Identifiers;
import io.pgferry.postgres.connect.Connections;
import io.pgferry.postgres.connect.Dsn;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import org.postgresql.PGStatement;

/**
 * Reads at the source a key change replayed after a chunked copy that left a value stored out of line (TOAST)
 * unchanged, when the sink finds its row at neither key ({@link io.pgferry.core.sink.MovedRows}). The stream does not
 * carry such a value (PostgreSQL docs, "Logical Replication Message Formats", TupleData: 'u'), and a row moved from a
 * chunk not yet copied into one already copied is nowhere at the destination. The row's values at its new key are
 * read from the source as they are now, and so is the source's WAL insert position after the read ({@link
 * #readThrough}):
 * <ul>
 *   <li>found, the update carries them in place of the unsent ones;
 *   <li>not found, the row was deleted or moved again since; the update becomes a delete of its old key, which holds
 *       no row at the source either.
 * </ul>
 * Either way the read is like a chunk's: the source as of a point after the change. The replay therefore goes on
 * idempotently up to that point ({@link io.pgferry.core.sink.ChangeSink#extendReplay}), so that the changes made to
 * the row since, the one that deleted or moved it among them, are replayed by the rules that tolerate what the read
 * already saw. Regression (issue 5): applied exactly instead, a second move of a row the read had found gone missed
 * it, and the row was lost. Reading only rows the destination lacks keeps the replay finite: once written, a row's
 * later moves find it. Values read here pass through the sync's stage (its mask) like the stream's own, and are never
 * logged.
 *
 * <p>Used on the applier's thread only; one connection to the source, opened at the first need and closed by {@link
 * #close} or after a failure (the retry opens another).
 */
final class MovedRowValues implements Replay.Completion, AutoCloseable {
    private final Dsn source;
    private Connection connection;
    private Lsn readThrough = Lsn.INVALID;

    MovedRowValues(Dsn source) {
        this.source = source;
    }

    @Override
    public ChangeEvent process(ChangeEvent change) {
        if (!(change instanceof ChangeEvent.Update u) || u.before() == null) {
            return change;
        }
        Row after = u.after();
        List<Integer> keys = new ArrayList<>();
        List<Integer> unsent = new ArrayList<>();
        for (int i = 0; i < after.size(); i++) {
            boolean missing = after.isUnchangedToast(i);
            if (u.relation().columns().get(i).key()) {
                if (missing || after.isNull(i) || after.isBinary(i)) {
                    // No text form of the key to look up by: the sink's own rule applies (it stops, naming the column).
                    return change;
                }
                keys.add(i);
            } else if (missing) {
                unsent.add(i);
            }
        }
        if (unsent.isEmpty() || keys.isEmpty()) {
            return change;
        }
        try {
            String[] values = read(u.relation(), after, keys, unsent);
            return values == null
                    ? new ChangeEvent.Delete(u.lsn(), u.relation(), u.before())
                    : new ChangeEvent.Update(u.lsn(), u.relation(), u.before(), filled(after, unsent, values));
        } catch (SQLException e) {
            close();
            throw Connections.classify(e, source);
        }
    }

    /** The values of {@code unsent} in the source's row at {@code after}'s key, in text form; null when none. */
    private String[] read(Relation r, Row after, List<Integer> keys, List<Integer> unsent) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT ");
        for (int j = 0; j < unsent.size(); j++) {
            sql.append(j == 0 ? "" : ", ")
                    .append(Identifiers.quote(r.columns().get(unsent.get(j)).name()));
        }
        sql.append(" FROM ")
                .append(Identifiers.qualified(r.schema(), r.table()))
                .append(" WHERE ");
        for (int j = 0; j < keys.size(); j++) {
            sql.append(j == 0 ? "" : " AND ")
                    .append(Identifiers.quote(r.columns().get(keys.get(j)).name()))
                    .append(" = ?");
        }
        if (connection == null) {
            connection = Connections.open(source);
        }
        try (PreparedStatement ps = connection.prepareStatement(sql.toString())) {
            // Never prepared at the server, so results come in text form: the output functions' text, as the stream's.
            ps.unwrap(PGStatement.class).setPrepareThreshold(0);
            for (int j = 0; j < keys.size(); j++) {
                // Untyped, so that the server reads it as the key column's type and uses the key's index.
                ps.setObject(j + 1, after.text(keys.get(j)), Types.OTHER);
            }
            String[] values = null;
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    values = new String[unsent.size()];
                    for (int j = 0; j < values.length; j++) {
                        values[j] = rs.getString(j + 1);
                    }
                }
            }
            readThrough = insertPosition();
            return values;
        }
    }

    /**
     * The source's WAL insert position, read after a row: every transaction the read saw, or could not see because it
     * committed meanwhile, has its commit record before it (inserted, not yet written, with asynchronous commit).
     */
    private Lsn insertPosition() throws SQLException {
        try (Statement st = connection.createStatement();
                ResultSet rs = st.executeQuery("SELECT pg_catalog.pg_current_wal_insert_lsn()::text")) {
            rs.next();
            Lsn at = Lsn.parse(rs.getString(1));
            return at.isAfter(readThrough) ? at : readThrough;
        }
    }

    @Override
    public Lsn readThrough() {
        return readThrough;
    }

    /** {@code row} with the columns of {@code unsent} holding {@code values} (text, null for NULL). */
    private static Row filled(Row row, List<Integer> unsent, String[] values) {
        TupleData in = row.tuple();
        int n = row.size();
        ByteArrayOutputStream buf = new ByteArrayOutputStream(in.buffer().length + 4096);
        byte[] kinds = new byte[n];
        int[] offsets = new int[n];
        int[] lengths = new int[n];
        for (int i = 0; i < n; i++) {
            int j = unsent.indexOf(i);
            offsets[i] = buf.size();
            if (j < 0) {
                kinds[i] = in.kind(i);
                if (kinds[i] == TupleData.TEXT || kinds[i] == TupleData.BINARY) {
                    buf.write(in.buffer(), in.offset(i), in.length(i));
                    lengths[i] = in.length(i);
                }
            } else if (values[j] == null) {
                kinds[i] = TupleData.NULL;
            } else {
                byte[] bytes = values[j].getBytes(StandardCharsets.UTF_8);
                kinds[i] = TupleData.TEXT;
                buf.write(bytes, 0, bytes.length);
                lengths[i] = bytes.length;
            }
        }
        return new Row(row.relation(), new TupleData(buf.toByteArray(), kinds, offsets, lengths), row.types(), false);
    }

    /** Closes the connection, if open; the next change that needs one opens another. */
    @Override
    public void close() {
        Connections.closeQuietly(connection);
        connection = null;
    }
}
