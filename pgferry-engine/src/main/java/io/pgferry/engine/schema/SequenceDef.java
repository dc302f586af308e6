package io.pgferry.engine.schema;

import io.pgferry.postgres.catalog.TableName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * A source sequence that a synced column's default takes its values from, or that the sync's table patterns pick
 * ({@link #standalone}), with the options the target creates it with, so that values the target makes once writes
 * move there follow the same rules (a {@code serial} column's sequence is {@code AS integer}: created as a {@code
 * bigint} one, it would run past the column's range).
 *
 * @param sourceSchema the sequence's schema at the source
 * @param schema the schema the target has it in (the schema map applied)
 * @param type its data type as {@code format_type} prints it: smallint, integer or bigint
 */
public record SequenceDef(
        String sourceSchema,
        String schema,
        String name,
        String type,
        long start,
        long increment,
        long min,
        long max,
        long cache,
        boolean cycle) {

    /** The sequences the column defaults of the tables ?1 lists read, each with its OID last. */
    private static final String OF_DEFAULTS = "SELECT n.nspname, c.relname, format_type(s.seqtypid, NULL),"
            + " s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle, s.seqrelid FROM pg_sequence s"
            + " JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE s.seqrelid IN (SELECT sd.refobjid FROM pg_attrdef d JOIN pg_depend sd"
            + " ON sd.classid = 'pg_attrdef'::regclass AND sd.objid = d.oid AND sd.refclassid = 'pg_class'::regclass"
            + " WHERE d.adrelid = ANY (?::oid[]))";

    /**
     * The source's sequences that no column owns (a serial or identity column's, or one {@code OWNED BY} a column)
     * and no extension made, outside the system schemas, in name order. Such a sequence is the application's own: it
     * draws from it with {@code nextval} (invoice numbers, say), so the target must go on from the source's value
     * once writes move there.
     */
    private static final String STANDALONE = "SELECT n.nspname, c.relname, pg_catalog.format_type(s.seqtypid, NULL),"
            + " s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle FROM pg_catalog.pg_sequence s"
            + " JOIN pg_catalog.pg_class c ON c.oid = s.seqrelid"
            + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE c.relpersistence <> 't' AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
            + " AND n.nspname NOT LIKE 'pg\\_%' AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d"
            + " WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = c.oid"
            + " AND d.deptype IN ('a', 'i', 'e')) ORDER BY 1, 2";

    /**
     * The source's sequences that the column defaults of the tables {@code tableOids} lists read, by OID, each to be
     * created at the target in {@code targetSchema}: one query for all (one per sequence took seconds for thousands
     * of serial columns).
     */
    static Map<Long, SequenceDef> readOfDefaults(
            Connection source, java.sql.Array tableOids, UnaryOperator<String> targetSchema) throws SQLException {
        Map<Long, SequenceDef> out = new HashMap<>();
        try (PreparedStatement ps = source.prepareStatement(OF_DEFAULTS)) {
            ps.setArray(1, tableOids);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getLong(10), of(rs, targetSchema));
                }
            }
        }
        return out;
    }

    /**
     * The source's sequences that no column owns and whose names {@code picked} accepts (the sync's table patterns),
     * each to be created at the target in {@code targetSchema}; see {@link #STANDALONE}.
     */
    public static List<SequenceDef> standalone(
            Connection source, Predicate<TableName> picked, UnaryOperator<String> targetSchema) throws SQLException {
        List<SequenceDef> out = new ArrayList<>();
        try (Statement st = source.createStatement();
                ResultSet rs = st.executeQuery(STANDALONE)) {
            while (rs.next()) {
                if (picked.test(new TableName(rs.getString(1), rs.getString(2)))) {
                    out.add(of(rs, targetSchema));
                }
            }
        }
        return out;
    }

    private static SequenceDef of(ResultSet rs, UnaryOperator<String> targetSchema) throws SQLException {
        return new SequenceDef(
                rs.getString(1),
                targetSchema.apply(rs.getString(1)),
                rs.getString(2),
                rs.getString(3),
                rs.getLong(4),
                rs.getLong(5),
                rs.getLong(6),
                rs.getLong(7),
                rs.getLong(8),
                rs.getBoolean(9));
    }

    /** The sequence's quoted name at the source. */
    public String sourceQualified() {
        return PgSql.qualified(sourceSchema, name);
    }

    /** The sequence's quoted name at the target. */
    public String qualified() {
        return PgSql.qualified(schema, name);
    }

    /** {@code CREATE SEQUENCE IF NOT EXISTS} named {@code qualified} with the source's options. */
    String createSql(String qualified) {
        return "CREATE SEQUENCE IF NOT EXISTS " + qualified + " AS " + type + " INCREMENT BY " + increment
                + " MINVALUE " + min + " MAXVALUE " + max + " START WITH " + start + " CACHE " + cache
                + (cycle ? " CYCLE" : " NO CYCLE");
    }

    /** {@code nextval} of the sequence at the target: the default of a column that does not own it. */
    String nextvalSql() {
        return "nextval(" + PgSql.literal(qualified()) + "::regclass)";
    }
}
