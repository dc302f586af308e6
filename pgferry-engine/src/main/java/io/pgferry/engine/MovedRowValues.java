package io.pgferry.engine;

import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.Relation;
import io.pgferry.core.event.Row;
import io.pgferry.core.pgoutput.TupleData;
import io.pgferry.core.sink.Stage;
import io.pgferry.postgres.catalog.Identifiers;
import io.pgferry.postgres.connect.Connections;
import io.pgferry.postgres.connect.Dsn;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import org.postgresql.PGStatement;

/**
 * Completes, from the source, a key change replayed after a chunked copy that left a value stored out of line (TOAST)
 * unchanged. The stream does not carry such a value (PostgreSQL docs, "Logical Replication Message Formats",
 * TupleData: 'u'), and the sink takes it from the row it holds, but a row moved from a chunk not yet copied into one
 * already copied is at neither key there. The row's values at its new key are read from the source as they are now:
 * <ul>
 *   <li>found, the update carries them in place of the unsent ones. They may be newer than the update: every change
 *       made to the row since follows in the stream, each carrying the values it changed, so the row ends as the
 *       source has it;
 *   <li>not found, the row was deleted or moved again since, by a change that follows in the stream; the update
 *       becomes a delete of its old key, which holds no row at the source either.
 * </ul>
 * Every other change passes unchanged. Values read here pass through the sync's stage (its mask) like the stream's
 * own, and are never logged.
 *
 * <p>Used on the applier's thread only; one connection to the source, opened at the first need and closed by {@link
 * #close} or after a failure (the retry opens another).
 */
final class MovedRowValues implements Stage, AutoCloseable {
    private final Dsn source;
    private Connection connection;

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
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                String[] values = new String[unsent.size()];
                for (int j = 0; j < values.length; j++) {
                    values[j] = rs.getString(j + 1);
                }
                return values;
            }
        }
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
