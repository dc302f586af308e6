package io.pgferry.verify.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The row hash of syncguard version 3 on a real server (issue #6, the sweep's speed): each column's term calls the
 * type's hash function directly, and must equal what {@code hash_record_extended} computes for the value, which is
 * what makes two servers agree whichever way a term is written.
 */
@PgTest
@Tag("verify")
class RowHashesTest {

    /** A value list per binary-hashed type, with its edges (infinities, NaN, NULL, multi-byte text). */
    private static final Map<String, String> VALUES = Map.ofEntries(
            Map.entry("bool", "true, false, NULL"),
            Map.entry("bytea", "'\\x00ff'::bytea, ''::bytea, NULL"),
            Map.entry("\"char\"", "'a', NULL"),
            Map.entry("name", "'n', NULL"),
            Map.entry("int8", "-9223372036854775808, 0, 9223372036854775807, NULL"),
            Map.entry("int2", "-32768, 7, NULL"),
            Map.entry("int4", "-2147483648, 7, NULL"),
            Map.entry("text", "'', 'é€𝄞', NULL"),
            Map.entry("oid", "0, 4294967295, NULL"),
            Map.entry("float4", "'NaN', '-Infinity', 1.5, -0.0, NULL"),
            Map.entry("float8", "'NaN', 'Infinity', 0.1, NULL"),
            Map.entry("bpchar", "'ab'::bpchar(4), NULL"),
            Map.entry("varchar", "'ab'::varchar(4), NULL"),
            Map.entry("date", "'infinity', '-infinity', '2026-11-24', '4713-01-01 BC', NULL"),
            Map.entry("time", "'24:00', '00:00:00.000001', NULL"),
            Map.entry("timestamp", "'infinity', '2026-11-24 01:02:03.456789', NULL"),
            Map.entry("timestamptz", "'-infinity', 'infinity', '2026-11-24 01:02:03.456789+05:30', NULL"),
            Map.entry("interval", "'1 mon -2 days 03:00', '0', NULL"),
            Map.entry("timetz", "'01:02:03+14', NULL"),
            Map.entry("numeric", "'NaN', 1.50, -0.000001, 123456789012345678901234567890, NULL"),
            Map.entry("uuid", "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', NULL"),
            Map.entry("jsonb", "'{\"a\": [1, 2.0]}', 'null', NULL"),
            Map.entry("inet", "'10.1.2.3/8', '::1', NULL"),
            Map.entry("cidr", "'10.0.0.0/8', NULL"),
            Map.entry("macaddr", "'08:00:2b:01:02:03', NULL"),
            // Hashed in their text form.
            Map.entry("json", "'{\"a\": 1}', NULL"),
            Map.entry("int4range", "'[1,5)', 'empty', NULL"),
            Map.entry("money", "12.34, NULL"));

    @Test
    void everyTermEqualsTheHashOfAOneColumnRow(TestDatabase db) throws Exception {
        try (Connection c = db.connect();
                Statement st = c.createStatement()) {
            HashSettings.pin(c);
            // A session TimeZone far from UTC: the timestamptz term must not depend on it.
            st.execute("SET TimeZone = 'Pacific/Kiritimati'");
            for (Map.Entry<String, String> e : VALUES.entrySet()) {
                long type;
                try (ResultSet rs = st.executeQuery("SELECT '" + e.getKey() + "'::regtype::oid::bigint")) {
                    rs.next();
                    type = rs.getLong(1);
                }
                String canonical = HashSettings.BINARY_HASHABLE.contains(type) ? "r.v" : "r.v::text";
                for (int seed : new int[] {1, 5}) {
                    String sql = "SELECT count(*) FILTER (WHERE " + RowHashes.term("r.v", type, seed)
                            + " IS DISTINCT FROM CASE WHEN r.v IS NULL THEN -" + seed
                            + " ELSE hash_record_extended(ROW(" + canonical + "), " + seed + ") END), count(*)"
                            + " FROM (SELECT unnest(ARRAY[" + e.getValue() + "]::" + e.getKey() + "[]) AS v) r";
                    try (ResultSet rs = st.executeQuery(sql)) {
                        rs.next();
                        assertThat(rs.getLong(1))
                                .as(e.getKey() + ", seed " + seed)
                                .isZero();
                        assertThat(rs.getLong(2)).as(e.getKey()).isGreaterThan(1);
                    }
                }
            }
        }
    }

    @Test
    void valuesSwappedBetweenColumnsOrReplacedByNullChangeTheHash(TestDatabase db) throws Exception {
        db.execute(
                "CREATE TABLE t (k int PRIMARY KEY, a text, b text)",
                "INSERT INTO t VALUES (1, 'x', 'y'), (2, 'y', 'x'), (3, NULL, 'y'), (4, '', 'y'), (5, 'x', NULL),"
                        + " (6, NULL, NULL)");
        String hash = RowHashes.expression(List.of("a", "b", "k"), List.of(25L, 25L, 23L));
        // The key's term is the same seed for every row: strip it by comparing with k fixed.
        assertThat(db.queryLong("SELECT count(DISTINCT " + hash.replace("r.\"k\"", "0") + ") FROM t r"))
                .isEqualTo(6);
    }

    @Test
    void refusesColumnsWithoutTypes() {
        assertThatThrownBy(() -> RowHashes.expression(List.of("a"), List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
