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
