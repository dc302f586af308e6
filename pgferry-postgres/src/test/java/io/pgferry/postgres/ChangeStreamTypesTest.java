package io.pgferry.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.Row;
import io.pgferry.core.value.BitString;
import io.pgferry.core.value.BuiltinTypes;
import io.pgferry.core.value.Inet;
import io.pgferry.core.value.Json;
import io.pgferry.core.value.MacAddress;
import io.pgferry.core.value.Money;
import io.pgferry.core.value.PgArray;
import io.pgferry.core.value.PgInterval;
import io.pgferry.core.value.Special;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every type family through the stream and back: for each column, {@link Row#value(int)} is the exact Java value of
 * the {@link io.pgferry.core.value.PgValues} mapping and {@link Row#text(int)} is what the server prints for
 * the column through its type's output function, in text format and in binary format. The server's text is read with
 * {@code format('%s', column)}, which calls the output function; {@code column::text} does not for every type (bool
 * casts to {@code true}, char(n) loses its padding, inet gains its netmask length).
 *
 * <p>Where the binary path legitimately differs: money's binary form is a bare count of minor units whose scale
 * depends on the server's lc_monetary, so the stream refuses binary format for a table with a money column and the
 * binary run leaves the money columns out. timestamptz renders in UTC from binary; the comparison session runs in UTC
 * so the server prints it the same way.
 */
@PgTest
@Tag("stream")
class ChangeStreamTypesTest {
    private static final String ALL_BYTES =
            "(SELECT decode(string_agg(lpad(to_hex(i), 2, '0'), '' ORDER BY i), 'hex') FROM generate_series(0, 255) i)";
    private static final String BIG_NUMERIC = "9".repeat(600) + "." + "1".repeat(399) + "7";

    /** One column: its SQL type, the SQL expression inserted, and the Java value expected back. */
    private record Col(String name, String type, String sql, Object expected) {}

    private static List<Col> columns(int moodOid) throws Exception {
        byte[] all = new byte[256];
        for (int i = 0; i < 256; i++) {
            all[i] = (byte) i;
        }
        List<Col> c = new ArrayList<>();
        c.add(new Col("i2min", "int2", "-32768", (short) -32768));
        c.add(new Col("i2max", "int2", "32767", (short) 32767));
        c.add(new Col("i4min", "int4", "-2147483648", Integer.MIN_VALUE));
        c.add(new Col("i4max", "int4", "2147483647", Integer.MAX_VALUE));
        c.add(new Col("i8min", "int8", "-9223372036854775808", Long.MIN_VALUE));
        c.add(new Col("i8max", "int8", "9223372036854775807", Long.MAX_VALUE));
        c.add(new Col("n_big", "numeric", "'" + BIG_NUMERIC + "'", new BigDecimal(BIG_NUMERIC)));
        c.add(new Col("n_scale", "numeric", "'-0.000100'", new BigDecimal("-0.000100")));
        c.add(new Col("n_zero", "numeric(10,3)", "0", new BigDecimal("0.000")));
        c.add(new Col("n_nan", "numeric", "'NaN'", Special.NAN));
        c.add(new Col("n_inf", "numeric", "'Infinity'", Special.POSITIVE_INFINITY));
        c.add(new Col("n_ninf", "numeric", "'-Infinity'", Special.NEGATIVE_INFINITY));
        c.add(new Col("f4", "float4", "'3.4028235e+38'", Float.MAX_VALUE));
        c.add(new Col("f4_tenth", "float4", "'0.1'", 0.1f));
        c.add(new Col("f4_nan", "float4", "'NaN'", Float.NaN));
        c.add(new Col("f4_inf", "float4", "'Infinity'", Float.POSITIVE_INFINITY));
        c.add(new Col("f4_ninf", "float4", "'-Infinity'", Float.NEGATIVE_INFINITY));
        c.add(new Col("f4_negzero", "float4", "'-0'", -0.0f));
        c.add(new Col("f4_min", "float4", "'1e-45'", Float.MIN_VALUE));
        c.add(new Col("f8", "float8", "'0.1'", 0.1));
        c.add(new Col("f8_big", "float8", "'1.7976931348623157e308'", Double.MAX_VALUE));
        c.add(new Col("f8_nan", "float8", "'NaN'", Double.NaN));
        c.add(new Col("f8_inf", "float8", "'Infinity'", Double.POSITIVE_INFINITY));
        c.add(new Col("f8_ninf", "float8", "'-Infinity'", Double.NEGATIVE_INFINITY));
        c.add(new Col("f8_negzero", "float8", "'-0'", -0.0));
        c.add(new Col("f8_min", "float8", "'4.9e-324'", Double.MIN_VALUE));
        c.add(new Col("b_true", "bool", "true", true));
        c.add(new Col("b_false", "bool", "false", false));
        String unicode = "héllo ✓ 😀 \"q\" \\ ' tab\tend";
        c.add(new Col("t", "text", "'" + unicode.replace("'", "''") + "'", unicode));
        c.add(new Col("t_empty", "text", "''", ""));
        c.add(new Col("vc", "varchar(20)", "'ünï ⌘'", "ünï ⌘"));
        c.add(new Col("ch", "char(5)", "'ab'", "ab   "));
        c.add(new Col("nm", "name", "'ñame'", "ñame"));
        c.add(new Col("by_empty", "bytea", "'\\x'", new byte[0]));
        c.add(new Col("by_all", "bytea", ALL_BYTES, all));
        c.add(new Col("d", "date", "'2024-02-29'", LocalDate.of(2024, 2, 29)));
        c.add(new Col("d_bc", "date", "'0044-03-15 BC'", LocalDate.of(-43, 3, 15)));
        c.add(new Col("d_inf", "date", "'infinity'", Special.POSITIVE_INFINITY));
        c.add(new Col("d_ninf", "date", "'-infinity'", Special.NEGATIVE_INFINITY));
        c.add(new Col("tm", "time", "'23:59:59.999999'", LocalTime.of(23, 59, 59, 999_999_000)));
        c.add(new Col("tm_24", "time", "'24:00:00'", LocalTime.MAX));
        c.add(new Col(
                "ttz",
                "timetz",
                "'12:34:56.789+05:30'",
                OffsetTime.of(12, 34, 56, 789_000_000, ZoneOffset.ofHoursMinutes(5, 30))));
        c.add(new Col(
                "ttz_west",
                "timetz",
                "'00:00:00.000001-09:30'",
                OffsetTime.of(0, 0, 0, 1_000, ZoneOffset.ofHoursMinutes(-9, -30))));
        c.add(new Col(
                "ts",
                "timestamp",
                "'2024-02-29 12:34:56.123456'",
                LocalDateTime.of(2024, 2, 29, 12, 34, 56, 123_456_000)));
        c.add(new Col("ts_bc", "timestamp", "'0001-01-01 00:00:00 BC'", LocalDateTime.of(0, 1, 1, 0, 0)));
        c.add(new Col("ts_inf", "timestamp", "'infinity'", Special.POSITIVE_INFINITY));
        c.add(new Col("ts_ninf", "timestamp", "'-infinity'", Special.NEGATIVE_INFINITY));
        c.add(new Col(
                "tstz",
                "timestamptz",
                "'2024-02-29 12:34:56.123456+05:30'",
                OffsetDateTime.of(2024, 2, 29, 7, 4, 56, 123_456_000, ZoneOffset.UTC)));
        c.add(new Col(
                "tstz_bc",
                "timestamptz",
                "'0100-06-01 10:00:00+00 BC'",
                OffsetDateTime.of(-99, 6, 1, 10, 0, 0, 0, ZoneOffset.UTC)));
        c.add(new Col("tstz_inf", "timestamptz", "'infinity'", Special.POSITIVE_INFINITY));
        c.add(new Col(
                "iv", "interval", "'1 year 2 mons -3 days 04:05:06.789'", new PgInterval(14, -3, 14_706_789_000L)));
        c.add(new Col("iv_neg", "interval", "'-1 days +01:00:00'", new PgInterval(0, -1, 3_600_000_000L)));
        c.add(new Col("iv_micro", "interval", "'-0.000001 seconds'", new PgInterval(0, 0, -1)));
        c.add(new Col("iv_zero", "interval", "'0'", new PgInterval(0, 0, 0)));
        c.add(new Col(
                "u",
                "uuid",
                "'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'",
                UUID.fromString("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")));
        c.add(new Col(
                "j",
                "json",
                "'{\"b\": 1,  \"a\" : [1, 2.50], \"u\": \"ü\\u00e9\"}'",
                new Json("{\"b\": 1,  \"a\" : [1, 2.50], \"u\": \"ü\\u00e9\"}")));
        c.add(new Col(
                "jb",
                "jsonb",
                "'{\"b\": 1,  \"a\" : [1, 2.50], \"u\": \"ü\\u00e9\"}'",
                new Json("{\"a\": [1, 2.50], \"b\": 1, \"u\": \"üé\"}")));
        c.add(new Col(
                "arr2d",
                "int4[]",
                "'{{1,NULL},{3,4}}'",
                new PgArray(
                        BuiltinTypes.INT4,
                        List.of(2, 2),
                        List.of(1, 1),
                        List.of(Arrays.asList(1, null), List.of(3, 4)))));
        c.add(new Col(
                "arr_lb",
                "int4[]",
                "'[0:1]={5,6}'",
                new PgArray(BuiltinTypes.INT4, List.of(2), List.of(0), List.of(5, 6))));
        c.add(new Col(
                "tarr",
                "text[]",
                "ARRAY['a\"b', 'c,d', '{e}', 'f\\g', '', NULL, 'NULL', ' sp ', 'ü']",
                PgArray.of(
                        BuiltinTypes.TEXT,
                        Arrays.asList("a\"b", "c,d", "{e}", "f\\g", "", null, "NULL", " sp ", "ü"))));
        c.add(new Col("arr_empty", "int4[]", "'{}'", PgArray.empty(BuiltinTypes.INT4)));
        c.add(new Col(
                "inet4",
                "inet",
                "'192.168.0.1/24'",
                new Inet(InetAddress.getByAddress(new byte[] {(byte) 192, (byte) 168, 0, 1}), 24)));
        c.add(new Col(
                "inet6",
                "inet",
                "'2001:db8::1'",
                new Inet(InetAddress.getByAddress(v6(0x20, 0x01, 0x0d, 0xb8, 15, 1)), 128)));
        c.add(new Col(
                "cidr4", "cidr", "'10.0.0.0/8'", new Inet(InetAddress.getByAddress(new byte[] {10, 0, 0, 0}), 8)));
        c.add(new Col(
                "cidr6",
                "cidr",
                "'2001:db8::/32'",
                new Inet(InetAddress.getByAddress(v6(0x20, 0x01, 0x0d, 0xb8, 15, 0)), 32)));
        c.add(new Col("mac", "macaddr", "'08:00:2B:01:02:03'", new MacAddress(new byte[] {8, 0, 0x2b, 1, 2, 3})));
        // The text form depends on lc_monetary; the expected Money is completed from the server's text.
        c.add(new Col("m", "money", "1234.56", new BigDecimal("1234.56")));
        c.add(new Col("m_neg", "money", "-0.99", new BigDecimal("-0.99")));
        c.add(new Col("bt", "bit(4)", "B'1010'", new BitString("1010")));
        c.add(new Col("vb", "varbit", "B'10101'", new BitString("10101")));
        c.add(new Col("vb_empty", "varbit", "B''", new BitString("")));
        c.add(new Col("en", "mood", "'happy'", "happy"));
        c.add(new Col("dom", "posnum", "12.5", new BigDecimal("12.50")));
        c.add(new Col(
                "enarr", "mood[]", "'{sad,happy,NULL}'", PgArray.of(moodOid, Arrays.asList("sad", "happy", null))));
        return c;
    }

    /** An IPv6 address of 16 bytes: the first four given, then zeros, and byte {@code index} set to {@code last}. */
    private static byte[] v6(int b0, int b1, int b2, int b3, int index, int last) {
        byte[] a = new byte[16];
        a[0] = (byte) b0;
        a[1] = (byte) b1;
        a[2] = (byte) b2;
        a[3] = (byte) b3;
        a[index] = (byte) last;
        return a;
    }

    @ParameterizedTest(name = "binary={0}")
    @ValueSource(booleans = {false, true})
    void everyTypeRoundTrips(boolean binary, TestDatabase db) throws Exception {
        db.execute(
                "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')",
                "CREATE DOMAIN posnum AS numeric(10,2) CHECK (VALUE > 0)");
        int moodOid = (int) db.queryLong("SELECT 'mood'::regtype::oid");
        List<Col> cols = columns(moodOid).stream()
                .filter(col -> !(binary && col.type().equals("money")))
                .toList();
        StringBuilder ddl = new StringBuilder("CREATE TABLE types (id int PRIMARY KEY");
        StringBuilder names = new StringBuilder("id");
        StringBuilder values = new StringBuilder("1");
        StringBuilder texts = new StringBuilder("SELECT ");
        for (Col col : cols) {
            ddl.append(", ").append(col.name()).append(' ').append(col.type());
            names.append(", ").append(col.name());
            values.append(", ").append(col.sql());
            texts.append(texts.length() > 7 ? ", " : "")
                    .append("format('%s', ")
                    .append(col.name())
                    .append(')');
        }
        db.execute(ddl.append(')').toString());

        Collector c = new Collector();
        try (ChangeStream stream = ChangeStream.create(
                StreamConfig.builder()
                        .source(db.uri())
                        .publication("p")
                        .slot("s")
                        .tables("public.types")
                        .binary(binary)
                        .build(),
                c)) {
            stream.start();
            db.execute(
                    "INSERT INTO types (" + names + ") VALUES (" + values + ")", "INSERT INTO types (id) VALUES (2)");
            c.awaitTransactions(2);
        }
        List<String> serverText = new ArrayList<>();
        try (Connection conn = db.connect();
                Statement st = conn.createStatement()) {
            st.execute("SET TIME ZONE 'UTC'");
            try (ResultSet rs = st.executeQuery(texts + " FROM types WHERE id = 1")) {
                rs.next();
                for (int i = 0; i < cols.size(); i++) {
                    serverText.add(rs.getString(i + 1));
                }
            }
        }

        Row row = ((ChangeEvent.Insert) c.transactions().get(0).changes().get(0).event()).after();
        Row nulls =
                ((ChangeEvent.Insert) c.transactions().get(1).changes().get(0).event()).after();
        assertThat(row.size()).isEqualTo(cols.size() + 1);
        SoftAssertions soft = new SoftAssertions();
        for (int i = 0; i < cols.size(); i++) {
            Col col = cols.get(i);
            int at = i + 1;
            String server = serverText.get(i);
            soft.assertThat(row.column(at).name()).isEqualTo(col.name());
            soft.assertThat(row.isBinary(at)).as("%s binary", col.name()).isEqualTo(binary);
            Object expected = col.expected();
            String expectedText = server;
            if (col.type().equals("money")) {
                expected = new Money(server, (BigDecimal) expected);
            }
            Object value = row.value(at);
            if (expected instanceof OffsetDateTime odt && value instanceof OffsetDateTime actual) {
                soft.assertThat(actual.toInstant()).as("%s value", col.name()).isEqualTo(odt.toInstant());
            } else {
                soft.assertThat(value).as("%s value", col.name()).isEqualTo(expected);
            }
            soft.assertThat(row.text(at)).as("%s text", col.name()).isEqualTo(expectedText);
            soft.assertThat(nulls.isNull(at)).as("%s null", col.name()).isTrue();
            soft.assertThat(nulls.value(at)).as("%s null value", col.name()).isNull();
            soft.assertThat(nulls.text(at)).as("%s null text", col.name()).isNull();
        }
        soft.assertAll();
    }
}
