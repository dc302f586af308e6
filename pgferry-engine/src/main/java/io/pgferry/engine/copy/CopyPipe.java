package io.pgferry.engine.copy;

import io.pgferry.engine.schema.ColumnDef;
import io.pgferry.engine.schema.PgSql;
import io.pgferry.engine.schema.SourceTable;
import io.pgferry.jdbc.TargetTable;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.function.LongConsumer;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyOperation;
import org.postgresql.copy.CopyOut;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pipes {@code COPY (SELECT ...) TO STDOUT} at the source into {@code COPY ... FROM STDIN} at the target without
 * decoding rows: in binary format when every column is a built-in type on both sides, in text otherwise; rows of a
 * table with masked columns are decoded, masked and encoded again ({@link CopyLineMask}). A failure of the source's
 * session is a {@link SourceFailure}; any other, the target's.
 */
final class CopyPipe {
    private static final Logger log = LoggerFactory.getLogger(CopyPipe.class);
    private static final int BUFFER = 1 << 16;

    private CopyPipe() {}

    /**
     * Copies the rows of {@code from} (a relation, optionally followed by a WHERE clause) into {@code target}, in the
     * callers' transactions, telling {@code bytes} how many bytes went on as they go; returns the rows written.
     */
    static long pipe(
            Connection src,
            Connection dst,
            SourceTable table,
            String from,
            TargetTable target,
            boolean binary,
            Masks.Masked masked,
            LongConsumer bytes)
            throws SQLException {
        // A masked table is copied in text, each row decoded, masked and encoded again.
        CopyLineMask mask = masked == null ? null : new CopyLineMask(masked);
        String format = binary && mask == null ? " (FORMAT binary)" : "";
        StringBuilder cols = new StringBuilder();
        for (ColumnDef c : table.copyColumns()) {
            cols.append(cols.length() == 0 ? "" : ", ").append(PgSql.quote(c.name()));
        }
        CopyOut out;
        try {
            out = src.unwrap(PGConnection.class)
                    .getCopyAPI()
                    .copyOut("COPY (SELECT " + cols + " FROM ONLY " + from + ") TO STDOUT" + format);
        } catch (SQLException e) {
            throw SourceFailure.of(e);
        }
        CopyIn in = null;
        try {
            in = dst.unwrap(PGConnection.class)
                    .getCopyAPI()
                    .copyIn("COPY " + PgSql.qualified(target.schema(), target.table()) + " (" + cols + ") FROM STDIN"
                            + format);
            // The source sends one CopyData message a row; the target takes them in any size, so rows go on in
            // 64 kB messages (PostgreSQL docs, "COPY Operations": message boundaries need not match rows).
            byte[] buffer = new byte[BUFFER];
            int filled = 0;
            byte[] b;
            while ((b = read(out)) != null) {
                if (mask != null) {
                    b = mask.rewrite(b);
                }
                if (filled + b.length > buffer.length) {
                    in.writeToCopy(buffer, 0, filled);
                    bytes.accept(filled);
                    filled = 0;
                }
                if (b.length > buffer.length) {
                    in.writeToCopy(b, 0, b.length);
                    bytes.accept(b.length);
                } else {
                    System.arraycopy(b, 0, buffer, filled, b.length);
                    filled += b.length;
                }
            }
            if (filled > 0) {
                in.writeToCopy(buffer, 0, filled);
                bytes.accept(filled);
            }
            return in.endCopy();
        } catch (SQLException | RuntimeException e) {
            cancel(out);
            cancel(in);
            throw e;
        }
    }

    /** The next row from the source, or null at the end; a failure is the source's. */
    private static byte[] read(CopyOut out) throws SourceFailure {
        try {
            return out.readFromCopy();
        } catch (SQLException e) {
            throw SourceFailure.of(e);
        }
    }

    /**
     * Abandons {@code copy} (null, or one already ended, is left alone) for a copy that failed or was stopped. The
     * server answers a cancelled COPY with an error of its own, "canceling statement due to user request", which is
     * logged, never thrown: it would hide the failure that made the copy stop.
     */
    static void cancel(CopyOperation copy) {
        if (copy == null || !copy.isActive()) {
            return;
        }
        try {
            copy.cancelCopy();
        } catch (SQLException e) {
            log.debug("cancelled an unfinished COPY: {}", e.getMessage());
        }
    }
}
