package io.pgferry.verify.guard;

import io.pgferry.postgres.catalog.Identifiers;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The canonical hash of a row, and how the hashes of rows add up to the hash of a bucket (and of a segment of {@code
 * pgferry diff}).
 *
 * <p>A row's hash (syncguard version 3) is the XOR of one term per column, columns ordered by name in byte order:
 * the column's own extended hash function (the one hash partitioning uses, PostgreSQL docs "Hash Indexes" and
 * "CREATE OPERATOR CLASS", support function 2) applied to the value with the column's position as seed, or the
 * negated position when the value is NULL. Distinct seeds keep two columns that swapped values within a row apart.
 * Each function is called directly: building a row with {@code ROW(...)} for {@code hash_record_extended}, as
 * versions 1 and 2 did, forms and takes apart a tuple per row and made the sweep about 1.6 times slower.
 *
 * <p>Invariant: every term equals {@code hash_record_extended(ROW(value), seed)} for a non-NULL value, whichever way
 * it is written ({@link #term}); two servers, of any PostgreSQL release from 14 and any settings, therefore agree.
 * Types hashed in text form ({@link HashSettings#BINARY_HASHABLE}) hash their text under pinned settings.
 *
 * <p>A bucket's hash is the sum of its rows' hashes modulo 2^64: a sum (not XOR), so that duplicate rows do not
 * cancel. Version 2 mixed each row hash before summing ({@code h XOR hashint8extended(h, 0)}), because {@code
 * hash_record_extended} combines column hashes linearly ({@code 31 * h + h(column)}) and a plain sum could not tell
 * two rows that swapped a column's values. Column hashes combined by XOR are not linear under addition: for such a
 * swap the sum changes by {@code 2 * sum over bits k of 2^k (a1k - a2k)(b1k - b2k)}, zero modulo 2^64 only when all
 * 63 low terms vanish (about 2^-63 for hash values), so version 3 sums row hashes as they are, which saves a tenth of
 * a sweep.
 *
 * <p>Invariant: the publisher and the subscriber use the same expression; a catalog computed by an older syncguard
 * version is swept again after {@code GuardSchema.upgrade} (migrations 002 and 003).
 */
public final class RowHashes {
    private RowHashes() {}

    /**
     * Types whose extended hash function takes the value as it is, or after a binary-coercible cast, by OID. Each
     * was read from pg_amproc (the default hash operator class's support function 2) and is the same in PostgreSQL
     * 14 to 18.
     */
    private static final Map<Long, String> DIRECT = Map.ofEntries(
            Map.entry(19L, "pg_catalog.hashnameextended(%s, %d)"),
            Map.entry(20L, "pg_catalog.hashint8extended(%s, %d)"),
            Map.entry(21L, "pg_catalog.hashint2extended(%s, %d)"),
            Map.entry(23L, "pg_catalog.hashint4extended(%s, %d)"),
            Map.entry(25L, "pg_catalog.hashtextextended(%s, %d)"),
            Map.entry(26L, "pg_catalog.hashoidextended(%s, %d)"),
            Map.entry(650L, "pg_catalog.hashinetextended(%s::pg_catalog.inet, %d)"),
            Map.entry(700L, "pg_catalog.hashfloat4extended(%s, %d)"),
            Map.entry(701L, "pg_catalog.hashfloat8extended(%s, %d)"),
            Map.entry(829L, "pg_catalog.hashmacaddrextended(%s, %d)"),
            Map.entry(869L, "pg_catalog.hashinetextended(%s, %d)"),
            Map.entry(1042L, "pg_catalog.hashbpcharextended(%s, %d)"),
            Map.entry(1043L, "pg_catalog.hashtextextended(%s::pg_catalog.text, %d)"),
            Map.entry(1083L, "pg_catalog.time_hash_extended(%s, %d)"),
            Map.entry(1114L, "pg_catalog.timestamp_hash_extended(%s, %d)"),
            // timestamptz's operator class uses timestamp's function on the same 64-bit value; at UTC the conversion
            // keeps that value (and the infinities), whatever the session's TimeZone.
            Map.entry(1184L, "pg_catalog.timestamp_hash_extended(pg_catalog.timezone('UTC', %s), %d)"),
            Map.entry(1186L, "pg_catalog.interval_hash_extended(%s, %d)"),
            Map.entry(1266L, "pg_catalog.timetz_hash_extended(%s, %d)"),
            Map.entry(1700L, "pg_catalog.hash_numeric_extended(%s, %d)"),
            Map.entry(2950L, "pg_catalog.uuid_hash_extended(%s, %d)"),
            Map.entry(3802L, "pg_catalog.jsonb_hash_extended(%s, %d)"));

    /**
     * The 64-bit canonical hash of row {@code r}, as an SQL expression.
     *
     * @param names the row's live columns, ordered by name in byte order
     * @param types each column's type OID
     */
    public static String expression(List<String> names, List<Long> types) {
        if (names.size() != types.size() || names.isEmpty()) {
            throw new IllegalArgumentException(names.size() + " column names for " + types.size() + " types");
        }
        List<String> terms = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            terms.add(term("r." + Identifiers.quote(names.get(i)), types.get(i), i + 1));
        }
        return "(" + String.join(" OPERATOR(pg_catalog.#) ", terms) + ")";
    }

    /** One column's term: its hash seeded with {@code seed}, or {@code -seed} when NULL. */
    static String term(String column, long type, int seed) {
        String direct = DIRECT.get(type);
        if (direct != null) {
            return "COALESCE(" + String.format(Locale.ROOT, direct, column, seed) + ", -" + seed + ")";
        }
        if (!HashSettings.BINARY_HASHABLE.contains(type)) {
            return "COALESCE(pg_catalog.hashtextextended(" + column + "::pg_catalog.text, " + seed + "), -" + seed
                    + ")";
        }
        // bool, "char", bytea and date: their functions take another type ("char", internal, integer) with no
        // binary cast, so the value goes through a one-column row, which hashes it with the same function.
        return "CASE WHEN " + column + " IS NULL THEN -" + seed + " ELSE pg_catalog.hash_record_extended(ROW(" + column
                + "), " + seed + ") END";
    }

    /** The sum over rows of the row hash {@code column}, as an SQL aggregate: a numeric whose low 64 bits are the hash. */
    public static String sum(String column) {
        return "pg_catalog.sum(" + column + ")";
    }

    /**
     * Plans the {@link #grouped} queries of the rest of the transaction on {@code c} ({@code local}) or of its session
     * as they run fastest. The planner cannot estimate how many groups a bucket (or segment) expression yields and
     * takes one per row (a
     * range of 375,000 rows: 375,000 groups, for some 400), so it sorts every row, spilling to disk, rather than hash
     * a few hundred groups, and takes the scan for one costly enough to compile with JIT: measured on one range, 319
     * ms sorted, 200 ms hashed with JIT, 159 ms hashed without. enable_sort only discourages a sort where another plan
     * exists (PostgreSQL docs, "Planner Method Configuration"); a bucket holds many rows by design, so the hash table
     * stays small, and a larger one spills to disk on its own (PostgreSQL 13 and later). Regression (issue 6): a full
     * sweep took 13 times a count(*) of the table, and a diff's scans were as slow.
     */
    public static void planGrouping(Connection c, boolean local) throws SQLException {
        String set = local ? "SET LOCAL " : "SET ";
        try (Statement st = c.createStatement()) {
            st.execute(set + "enable_sort = off");
            st.execute(set + "jit = off");
        }
    }

    /**
     * Count and hash sum per group of the rows {@code inner} selects, as {@code (g, count, sum::text)}: {@code inner}
     * must select the group as {@code g} and the row hash as {@code h}.
     */
    public static String grouped(String inner) {
        return "SELECT x.g, count(*), " + sum("x.h") + "::text FROM (" + inner + ") x GROUP BY 1";
    }
}
