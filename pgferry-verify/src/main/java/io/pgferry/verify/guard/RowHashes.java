package io.pgferry.verify.guard;

/**
 * How the hashes of rows add up to the hash of a bucket (and of a segment of {@code pgferry diff}).
 *
 * <p>A row's hash, {@code hash_record_extended(ROW(...), 0)}, combines its columns' hashes linearly: PostgreSQL's
 * {@code hash_record_extended} (src/backend/utils/adt/rowtypes.c) computes {@code result = 31 * result + h(column)}
 * column by column. A plain sum of such row hashes is therefore a sum per column, and depends only on the multiset
 * of each column's values in the bucket: two rows that swapped a column's values (a replica that applied an update
 * to the wrong row) would sum the same and pass. Each row hash is mixed before it is summed: {@code h XOR
 * hashint8extended(h, 0)}, which is not linear in {@code h}, so the sum depends on which values share a row.
 *
 * <p>Invariant: the publisher and the subscriber use the same expression; a catalog computed by an older syncguard
 * version (which summed unmixed hashes) is swept again after {@code GuardSchema.upgrade} (migration 002).
 */
public final class RowHashes {
    private RowHashes() {}

    /**
     * The sum over rows of the mixed hash held in {@code column}, as an SQL aggregate: a numeric whose low 64 bits
     * are the bucket hash. {@code column} is named twice, so it should be a column of a subquery that computes the
     * row hash once (with {@code OFFSET 0}, which keeps PostgreSQL from pulling the subquery up and evaluating the
     * hash twice).
     */
    public static String mixedSum(String column) {
        return "pg_catalog.sum(" + column + " OPERATOR(pg_catalog.#) pg_catalog.hashint8extended(" + column + ", 0))";
    }

    /**
     * Count and mixed hash sum per group of the rows {@code inner} selects, as {@code (g, count, sum::text)}: {@code
     * inner} must select the group as {@code g} and the row hash as {@code h}, each computed once per row.
     */
    public static String grouped(String inner) {
        return "SELECT x.g, count(*), " + mixedSum("x.h") + "::text FROM (" + inner + " OFFSET 0) x GROUP BY 1";
    }
}
