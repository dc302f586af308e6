package io.pgferry.verify.guard;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The session settings under which every canonical hash is computed. The text form of a value depends on them
 * (PostgreSQL docs, "Client Connection Defaults": TimeZone, DateStyle, IntervalStyle, extra_float_digits,
 * bytea_output, lc_monetary), so two servers configured differently agree only if each hashing session pins them.
 * {@code extra_float_digits = 1} selects the shortest exact float output (PostgreSQL 12 and later).
 */
public final class HashSettings {
    private HashSettings() {}

    /**
     * Types hashed in binary (the value's own hash function, independent of settings), by OID; every other type is
     * hashed through its text form under {@link #STATEMENTS}. The same list as {@code syncguard.binary_hashable} in
     * 001-base.sql: bool, bytea, "char", name, int8, int2, int4, text, oid, float4, float8, bpchar, varchar, date,
     * time, timestamp, timestamptz, interval, timetz, numeric, uuid, jsonb, inet, cidr, macaddr.
     */
    public static final java.util.Set<Long> BINARY_HASHABLE = java.util.Set.of(
            16L, 17L, 18L, 19L, 20L, 21L, 23L, 25L, 26L, 700L, 701L, 1042L, 1043L, 1082L, 1083L, 1114L, 1184L, 1186L,
            1266L, 1700L, 2950L, 3802L, 869L, 650L, 829L);

    /** The SET statements, in the order they run. */
    static final String[] STATEMENTS = {
        "SET TimeZone = 'UTC'",
        "SET DateStyle = 'ISO, YMD'",
        "SET IntervalStyle = 'postgres'",
        "SET extra_float_digits = 1",
        "SET bytea_output = 'hex'",
        "SET lc_monetary = 'C'",
        "SET search_path = pg_catalog, pg_temp",
    };

    /** Pins the settings for the rest of the session of {@code c}. */
    public static void pin(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            for (String s : STATEMENTS) {
                st.execute(s);
            }
        }
    }
}
