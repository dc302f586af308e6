package io.pgferry.engine.schema;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.function.UnaryOperator;

/**
 * A source sequence that a synced column's default takes its values from, with the options the target creates it
 * with, so that values the target makes once writes move there follow the same rules (a {@code serial} column's
 * sequence is {@code AS integer}: created as a {@code bigint} one, it would run past the column's range).
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

    private static final String OPTIONS = "SELECT n.nspname, c.relname, format_type(s.seqtypid, NULL), s.seqstart,"
            + " s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle FROM pg_sequence s"
            + " JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE s.seqrelid = ?";

    /** The source's sequence {@code oid}, to be created at the target in {@code targetSchema}. */
    static SequenceDef read(Connection source, long oid, UnaryOperator<String> targetSchema) throws SQLException {
        try (PreparedStatement ps = source.prepareStatement(OPTIONS)) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("sequence " + oid + " disappeared from the source catalog", "42P01");
                }
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
        }
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
