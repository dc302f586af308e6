package io.pgferry.jdbc;

import io.pgferry.core.sink.CopyRangeId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.OptionalLong;

/**
 * The block ranges a snapshot copy has committed, kept at the destination in the sync's {@code copy_range} table. A
 * range's rows and its mark commit in one transaction, so when a connection is lost with a commit unanswered, the
 * mark says whether the rows are in, and the copy copies again only a range that is not. A copy into PostgreSQL
 * commits a range at once ({@link #markDone}); a copy into another database commits it in batches, each moving the
 * range's mark on to the rows in so far ({@link #markSoFar}), and resumes a range after its last batch.
 *
 * <p>The marks belong to one copy, that of one snapshot: a snapshot copy that starts deletes those of any copy before
 * it (which was started over, its tables emptied). Ranges are named by relation and first block; the blocks are
 * positions in the source's files, not row values.
 */
public final class CopyRanges {
    private final String table;
    private final String syncName;

    public CopyRanges(Dialect dialect, String schema, String syncName) {
        this.table = dialect.catalogTable(schema, "copy_range");
        this.syncName = syncName;
    }

    /** Forgets the marks of the copy before, in the caller's transaction. */
    public void clear(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table + " WHERE sync_name = ?")) {
            ps.setString(1, syncName);
            ps.executeUpdate();
        }
    }

    /** Marks a range committed with its row count, in the caller's transaction (the one that wrote its rows). */
    public void markDone(Connection c, String relation, long fromBlock, long rows) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO " + table + " (sync_name, relation, from_block, rows_copied) VALUES (?, ?, ?, ?)")) {
            ps.setString(1, syncName);
            ps.setString(2, relation);
            ps.setLong(3, fromBlock);
            ps.setLong(4, rows);
            ps.executeUpdate();
        }
    }

    /**
     * Forgets the marks of the copy before and records each of this copy's ranges with no row in, in one transaction
     * of its own, so that each batch's mark then updates a row that exists. Updating a missing row and inserting it,
     * or deleting and inserting, takes a gap lock in InnoDB, and two workers marking their first batches at once then
     * deadlocked (issue 7).
     */
    public void start(Connection c, List<CopyRangeId> ranges) throws SQLException {
        OneTransaction.run(c, session -> {
            clear(session);
            try (PreparedStatement ps = session.prepareStatement(
                    "INSERT INTO " + table + " (sync_name, relation, from_block, rows_copied) VALUES (?, ?, ?, 0)")) {
                for (CopyRangeId r : ranges) {
                    ps.setString(1, syncName);
                    ps.setString(2, r.relation());
                    ps.setLong(3, r.fromBlock());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        });
    }

    /**
     * Marks the first {@code rows} rows of a range committed, replacing its mark, in the caller's transaction (the one
     * that wrote the last of them): an update of the row {@link #start} made, or an insert where there is none.
     */
    public void markSoFar(Connection c, String relation, long fromBlock, long rows) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE " + table + " SET rows_copied = ? WHERE sync_name = ? AND relation = ? AND from_block = ?")) {
            ps.setLong(1, rows);
            ps.setString(2, syncName);
            ps.setString(3, relation);
            ps.setLong(4, fromBlock);
            if (ps.executeUpdate() == 1) {
                return;
            }
        }
        markDone(c, relation, fromBlock, rows);
    }

    /** The rows of the range if it is marked committed, else empty. */
    public OptionalLong rowsIfDone(Connection c, String relation, long fromBlock) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT rows_copied FROM " + table + " WHERE sync_name = ? AND relation = ? AND from_block = ?")) {
            ps.setString(1, syncName);
            ps.setString(2, relation);
            ps.setLong(3, fromBlock);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? OptionalLong.of(rs.getLong(1)) : OptionalLong.empty();
            }
        }
    }
}
