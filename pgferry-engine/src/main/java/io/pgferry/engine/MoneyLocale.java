package io.pgferry.engine;

import io.pgferry.core.PgFerryException;
import io.pgferry.engine.schema.SourceTable;
import io.pgferry.postgres.connect.Connections;
import io.pgferry.postgres.connect.Dsn;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The lc_monetary the target's sessions read money with. money's text follows the session's lc_monetary, its currency
 * symbol, separators and number of fraction digits (PostgreSQL docs, "Monetary Types"), and the source prints it with
 * the source session's: the walsender each value pgoutput sends, a text copy each value it reads. A target session
 * with another lc_monetary reads that text into another count of minor units, or refuses it: "$1,234.56" is 1235
 * under a locale without fraction digits. So when the sync's tables hold money, the target sessions that read values
 * as text, the apply's and the copy's, take the source's lc_monetary, and both sides store the same count, as a
 * binary copy does.
 */
final class MoneyLocale {
    /**
     * Whether a column of the tables ?1 lists holds money, itself or inside a domain, array, composite or range
     * (multiranges through their range).
     */
    private static final String HOLDS_MONEY = "WITH RECURSIVE ty(oid) AS ("
            + " SELECT a.atttypid FROM pg_catalog.pg_attribute a WHERE a.attrelid = ANY (?::oid[]) AND a.attnum > 0"
            + " AND NOT a.attisdropped"
            + " UNION SELECT x.oid FROM ty JOIN pg_catalog.pg_type t ON t.oid = ty.oid CROSS JOIN LATERAL ("
            + " SELECT t.typbasetype UNION ALL SELECT t.typelem"
            + " UNION ALL SELECT a.atttypid FROM pg_catalog.pg_attribute a WHERE a.attrelid = t.typrelid"
            + " AND t.typrelid <> 0 AND a.attnum > 0 AND NOT a.attisdropped"
            + " UNION ALL SELECT r.rngsubtype FROM pg_catalog.pg_range r WHERE r.rngtypid = t.oid"
            + " UNION ALL SELECT r.rngtypid FROM pg_catalog.pg_range r WHERE r.rngmultitypid = t.oid) x(oid)"
            + " WHERE x.oid <> 0)"
            + " SELECT EXISTS (SELECT 1 FROM ty WHERE ty.oid = 'pg_catalog.money'::pg_catalog.regtype)";

    /** The lc_monetary to set, or null: no money in the tables, or the target's sessions have the source's already. */
    private final String lcMonetary;

    private MoneyLocale(String lcMonetary) {
        this.lcMonetary = lcMonetary;
    }

    /**
     * What {@code tables} need on {@code target}, found on {@code source}; refuses a target whose server lacks the
     * source's locale, before anything is made there.
     */
    static MoneyLocale of(Connection source, Connection target, List<SourceTable> tables) throws SQLException {
        if (!holdsMoney(source, tables.stream().map(SourceTable::oid).toList())) {
            return new MoneyLocale(null);
        }
        String wanted = setting(source);
        if (wanted.equals(setting(target))) {
            return new MoneyLocale(null);
        }
        try {
            set(target, wanted);
        } catch (SQLException e) {
            if (!"22023".equals(e.getSQLState())) {
                throw e;
            }
            throw PgFerryException.fatal(
                    "the target cannot read money as the source prints it: the source's lc_monetary is " + wanted
                            + ", a locale the target's server does not have",
                    "install that locale on the target's host, or give both databases an lc_monetary both servers"
                            + " have (ALTER DATABASE ... SET lc_monetary)",
                    e);
        }
        return new MoneyLocale(wanted);
    }

    /** Opens target sessions ({@link Connections#open}) with the source's lc_monetary where they need it. */
    Supplier<Connection> sessions(Dsn target) {
        if (lcMonetary == null) {
            return () -> Connections.open(target);
        }
        return () -> Connections.open(target, Map.of("lc_monetary", lcMonetary));
    }

    /** Whether a column of the tables {@code oids} names holds money ({@link #HOLDS_MONEY}). */
    static boolean holdsMoney(Connection source, List<Long> oids) throws SQLException {
        if (oids.isEmpty()) {
            return false;
        }
        try (PreparedStatement ps = source.prepareStatement(HOLDS_MONEY)) {
            Array a = source.createArrayOf("int8", oids.toArray());
            ps.setArray(1, a);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    private static String setting(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_catalog.current_setting('lc_monetary')");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static void set(Connection c, String lcMonetary) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_catalog.set_config('lc_monetary', ?, false)")) {
            ps.setString(1, lcMonetary);
            ps.executeQuery().close();
        }
    }
}
