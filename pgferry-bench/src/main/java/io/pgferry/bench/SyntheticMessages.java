package io.pgferry.bench;

import java.util.List;

/**
 * The pgoutput messages of a ten-column table, as a PostgreSQL server would send them for inserts: a Relation
 * message, then Begin, Insert and Commit. Values are in text format, the server's default.
 */
final class SyntheticMessages {
    static final int RELATION_OID = 16_384;
    static final long XID = 1_000;
    static final long COMMIT_TIME = 800_000_000_000_000L;

    /** Name, type OID and whether the column is part of the key; the OIDs are pg_type.dat's. */
    private record ColumnSpec(String name, int typeOid, boolean key) {}

    private static final List<ColumnSpec> COLUMNS = List.of(
            new ColumnSpec("id", 20, true),
            new ColumnSpec("account", 23, false),
            new ColumnSpec("name", 25, false),
            new ColumnSpec("created", 1184, false),
            new ColumnSpec("amount", 1700, false),
            new ColumnSpec("active", 16, false),
            new ColumnSpec("score", 701, false),
            new ColumnSpec("code", 1043, false),
            new ColumnSpec("day", 1082, false),
            new ColumnSpec("ref", 2950, false));

    private SyntheticMessages() {}

    static int columnCount() {
        return COLUMNS.size();
    }

    /** 'R': the table's description; the parser and the assembler need it before its rows. */
    static byte[] relation() {
        PgOutputBytes b = PgOutputBytes.tag('R')
                .int32(RELATION_OID)
                .cstring("public")
                .cstring("bench10")
                .int8('d')
                .int16(COLUMNS.size());
        for (ColumnSpec c : COLUMNS) {
            b.int8(c.key() ? 1 : 0).cstring(c.name()).int32(c.typeOid()).int32(-1);
        }
        return b.build();
    }

    /** 'I': one row, all ten columns in text format. */
    static byte[] insert(long id) {
        return PgOutputBytes.tag('I')
                .int32(RELATION_OID)
                .int8('N')
                .int16(COLUMNS.size())
                .text(Long.toString(id))
                .text(Long.toString(id % 1_000))
                .text("customer-" + id)
                .text("2024-05-17 12:34:56.789012+00")
                .text("12345.67")
                .text((id & 1) == 0 ? "t" : "f")
                .text("3.14159")
                .text("ABC-" + (id % 97))
                .text("2024-05-17")
                .text("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")
                .build();
    }

    /** 'B': a transaction whose commit record is at {@code finalLsn}. */
    static byte[] begin(long finalLsn) {
        return PgOutputBytes.tag('B')
                .int64(finalLsn)
                .int64(COMMIT_TIME)
                .int32((int) XID)
                .build();
    }

    /** 'C': the commit; {@code endLsn} lies just past the commit record. */
    static byte[] commit(long commitLsn, long endLsn) {
        return PgOutputBytes.tag('C')
                .int8(0)
                .int64(commitLsn)
                .int64(endLsn)
                .int64(COMMIT_TIME)
                .build();
    }
}
