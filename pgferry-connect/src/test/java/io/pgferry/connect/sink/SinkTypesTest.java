package io.pgferry.connect.sink;

import static io.pgferry.connect.sink.SinkPipeline.WAIT;
import static io.pgferry.connect.sink.SinkPipeline.rows;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.connect.ConnectCluster;
import io.pgferry.testkit.MariaDbServer;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.sql.Connection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Column types through Kafka and the JDBC sink connector into PostgreSQL, from records written by pgferry's source
 * connector and by Debezium's PostgreSQL connector (its defaults: exact decimals, adaptive time precision): every
 * column reads back as the source's text, unchanged TOAST values are kept, snapshot rows and deletes apply, and the
 * created table has the source's column types where the records say them (issue 10).
 */
@PgTest
@ExtendWith(ConnectCluster.Lifecycle.class)
class SinkTypesTest {
    final EmbeddedConnectCluster connect = ConnectCluster.exactlyOnce();

    static final String DDL = "CREATE TABLE ty (id int PRIMARY KEY, i2 int2, i8 int8, f4 float4, f8 float8,"
            + " n numeric(12,3), nu numeric, b bool, tx text, vc varchar(20), by bytea, d date, tm time, tm3 time(3),"
            + " ts timestamp, tz timestamptz, u uuid, j jsonb, ai int4[], at text[], big text)";

    static final String[] BEFORE_CONNECTOR = {
        "INSERT INTO ty VALUES (1, -32768, 9223372036854775807, 1.5, -2.25e-300, 123456789.125, 0.000000001, true,"
                + " 'snap ''quoted'' ünï', 'twenty', '\\x00ff10', '2024-02-29', '23:59:59.999999', '12:00:00.123',"
                + " '2024-01-01 10:00:00.5', '2024-01-01 10:00:00.25+02', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',"
                + " '{\"a\": [1, 2]}', '{1,NULL,3}', '{\"x y\",\"\\\\\"}', NULL)"
    };

    static final String[] AFTER_CONNECTOR = {
        "INSERT INTO ty (id, tx, big) VALUES (2, 'plain', (SELECT string_agg(md5(g::text), '') FROM"
                + " generate_series(1, 400) g))",
        "INSERT INTO ty (id, n, nu, d, ts) VALUES (3, -0.5, 1e20, '0001-01-01', '1999-12-31 23:59:59')",
        "UPDATE ty SET tx = 'toast kept' WHERE id = 2",
        "UPDATE ty SET i2 = 7, f8 = 1.7976931348623157e308 WHERE id = 1",
        "INSERT INTO ty (id) VALUES (4)",
        "DELETE FROM ty WHERE id = 4"
    };

    static final String COMPARE = "SELECT id, i2::text, i8::text, f4::text, f8::text, n::numeric::text,"
            + " nu::numeric::text, b::text, tx, vc::text, by::text, d::text, tm::text, tm3::text, ts::text,"
            + " tz::text, u::text, j::jsonb::text, ai::text, at::text, md5(big) FROM ty ORDER BY id";

    /**
     * Also the regression of issue 10's audit: an unchanged TOAST value of an array of numbers (which can hold no
     * placeholder, so was written as null) was overwritten with NULL at the destination. pgferry's records name such
     * columns in a header; column {@code bigai}, an int4[] stored out of line, must survive the update of another
     * column.
     */
    @Test
    void pgferryRecordsApplyWithTheirTypes(TestDatabase db) throws Exception {
        db.execute(DDL);
        db.execute("ALTER TABLE ty ADD COLUMN bigai int4[]", "ALTER TABLE ty ALTER COLUMN bigai SET STORAGE EXTERNAL");
        db.execute(BEFORE_CONNECTOR);
        String prefix = ConnectCluster.freshName("types");
        Map<String, String> source = SinkPipeline.sourceConfig(db, prefix);
        source.put("tables", "public.ty");
        source.put("snapshot", "true");
        source.remove("topic.creation.groups");
        List<String> after = new java.util.ArrayList<>(List.of(AFTER_CONNECTOR));
        after.add(
                1,
                "UPDATE ty SET bigai = ARRAY(SELECT (random() * 1e9)::int FROM generate_series(1, 3000)) WHERE id"
                        + " = 2");
        String compare = COMPARE.replace(", md5(big) FROM", ", md5(big), md5(bigai::text) FROM");
        try (TestDatabase target = TestDatabase.create(db.server())) {
            run(db, target, prefix, source, after.toArray(String[]::new), compare, () -> rows(db::connect, compare));
            assertThat(rows(target::connect, "SELECT cardinality(bigai) FROM ty WHERE id = 2"))
                    .containsExactly("3000");
            // The records name each column's source type: the created table has the source's types.
            assertThat(target.queryString("SELECT string_agg(format_type(atttypid, atttypmod), ',' ORDER BY attnum)"
                            + " FROM pg_attribute WHERE attrelid = 'public.ty'::regclass AND attnum > 0"))
                    .isEqualTo(db.queryString("SELECT string_agg(format_type(atttypid, atttypmod), ',' ORDER BY"
                            + " attnum) FROM pg_attribute WHERE attrelid = 'public.ty'::regclass AND attnum > 0"));
        }
    }

    @Test
    void debeziumRecordsApply(TestDatabase db) throws Exception {
        db.execute(DDL);
        db.execute("ALTER TABLE ty REPLICA IDENTITY FULL");
        db.execute(BEFORE_CONNECTOR);
        String prefix = ConnectCluster.freshName("dbz");
        db.execute("CREATE PUBLICATION p_" + prefix + " FOR TABLE ty");
        Map<String, String> source = debeziumSource(db, prefix);
        try (TestDatabase target = TestDatabase.create(db.server())) {
            run(db, target, prefix, source, AFTER_CONNECTOR, COMPARE, () -> rows(db::connect, COMPARE));
            assertThat(target.queryString("SELECT format_type(atttypid, atttypmod) FROM pg_attribute"
                            + " WHERE attrelid = 'public.ty'::regclass AND attname = 'n'"))
                    .isEqualTo("numeric(12,3)");
        }
    }

    /**
     * Issue 10's audit: with the default replica identity, Debezium writes __debezium_unavailable_value for a TOASTed
     * column an update left unchanged, and updates and deletes carry only the key in their before image. The sink
     * keeps the value the target holds and applies both. Until this test, Debezium's records ran on FULL tables only,
     * where the placeholder never appears.
     */
    @Test
    void debeziumUnchangedToastPlaceholdersAreNeverWritten(TestDatabase db) throws Exception {
        db.execute(
                "CREATE TABLE ty (id int PRIMARY KEY, body text, n int)",
                "ALTER TABLE ty ALTER COLUMN body SET STORAGE EXTERNAL",
                "INSERT INTO ty VALUES (1, repeat(md5('1'), 300), 0)");
        String prefix = ConnectCluster.freshName("dbztoast");
        db.execute("CREATE PUBLICATION p_" + prefix + " FOR TABLE ty");
        String[] after = {
            "INSERT INTO ty VALUES (2, repeat(md5('2'), 300), 0), (3, 'short', 0)",
            "UPDATE ty SET n = n + 1",
            "DELETE FROM ty WHERE id = 3"
        };
        String compare = "SELECT id || ':' || md5(body) || ':' || n FROM ty ORDER BY id";
        try (TestDatabase target = TestDatabase.create(db.server())) {
            run(db, target, prefix, debeziumSource(db, prefix), after, compare, () -> rows(db::connect, compare));
        }
    }

    /**
     * Issue 10: records written by Debezium's own PostgreSQL connector had been applied to PostgreSQL only. Into
     * MariaDB, each value arrives through the documented type mapping (exact decimals, timestamptz in UTC, arrays as
     * JSON, 4-byte characters), and an update, a delete and a row of NULLs apply.
     */
    @Test
    void debeziumRecordsApplyToMariaDb(TestDatabase db) throws Exception {
        db.execute(
                "CREATE TABLE ty (id int PRIMARY KEY, n numeric(38,10), nu numeric, f8 float8, tz timestamptz,"
                        + " ts timestamp, d date, by bytea, ai int4[], at text[], j jsonb, tx text, u uuid, b bool)",
                "ALTER TABLE ty REPLICA IDENTITY FULL",
                "INSERT INTO ty VALUES (1, 1234567890123456789012345678.0123456789, 0.000000001, 1.5,"
                        + " '2024-02-29 12:34:56.123456+02', '2024-01-01 00:00:00', '2024-01-01', '\\x00ff',"
                        + " '{1,NULL,3}', '{\"a,b\",\"q\\\"uote\"}', '{\"k\": [1, 2]}', 't',"
                        + " 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', true)");
        String prefix = ConnectCluster.freshName("dbzmaria");
        db.execute("CREATE PUBLICATION p_" + prefix + " FOR TABLE ty");
        Map<String, String> source = debeziumSource(db, prefix);
        String[] after = {
            "INSERT INTO ty (id, tx, b) VALUES (2, '😀 ''quoted'' \\ back', false)",
            "INSERT INTO ty (id, tx) VALUES (3, 'gone')",
            "UPDATE ty SET f8 = -2.25, nu = 1e20 WHERE id = 1",
            "DELETE FROM ty WHERE id = 3"
        };
        runOnMariaDb(
                db,
                prefix,
                source,
                after,
                "SELECT id, n, nu, f8, tz, ts, d, hex(`by`), ai, `at`, j, tx, u, b FROM ty ORDER BY id",
                List.of(
                        "1|1234567890123456789012345678.0123456789|100000000000000000000|-2.25"
                                + "|2024-02-29 10:34:56.123456|2024-01-01 00:00:00.000000|2024-01-01|00FF"
                                + "|[1,null,3]|[\"a,b\",\"q\\\"uote\"]|{\"k\": [1, 2]}|t"
                                + "|a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11|1",
                        "2|null|null|null|null|null|null|null|null|null|null|😀 'quoted' \\ back|null|0"));
    }

    /**
     * Regression, issue 10: a NULL that Debezium's connector wrote in a column with a default arrived as the default,
     * since Connect's Struct gives a field's schema default for a NULL. It stays NULL now (read without the default,
     * and with the JsonConverter's replace.null.with.default off, as docs/connect.md asks). Debezium's field default
     * is the column's default expression as far as it can render it, not what the rows held before the column read,
     * so those rows keep NULL, in PostgreSQL (column added inside the batch) as in MariaDB (outside it).
     */
    @Test
    void aNullInAColumnWithADefaultStaysNull(TestDatabase db) throws Exception {
        String[] after = {
            "INSERT INTO ty VALUES (2, 'b')",
            "ALTER TABLE ty ADD COLUMN w int DEFAULT 5",
            "ALTER TABLE ty ADD COLUMN s text NOT NULL DEFAULT 'x y'",
            "INSERT INTO ty VALUES (3, 'c', NULL, 'z')"
        };
        List<String> expected = List.of("1|a|null|null", "2|b|null|null", "3|c|null|z");
        for (String kind : List.of("postgres", "mariadb")) {
            db.execute("DROP TABLE IF EXISTS ty", "CREATE TABLE ty (id int PRIMARY KEY, v text)");
            db.execute("INSERT INTO ty VALUES (1, 'a')");
            String prefix = ConnectCluster.freshName("dbzdefault");
            db.execute("CREATE PUBLICATION p_" + prefix + " FOR TABLE ty");
            Map<String, String> source = debeziumSource(db, prefix);
            String compare = "SELECT id, v, w, s FROM ty ORDER BY id";
            if (kind.equals("postgres")) {
                try (TestDatabase target = TestDatabase.create(db.server())) {
                    run(db, target, prefix, source, after, compare, () -> expected);
                }
            } else {
                runOnMariaDb(db, prefix, source, after, compare, expected);
            }
        }
    }

    /** {@link #run} into a database of its own at the shared MariaDB server, dropped afterwards. */
    private void runOnMariaDb(
            TestDatabase db,
            String prefix,
            Map<String, String> source,
            String[] after,
            String compare,
            List<String> expected)
            throws Exception {
        MariaDbServer maria = MariaDbServer.shared();
        String database = maria.createDatabase();
        try {
            String uri = "mariadb://" + maria.user() + "@" + maria.host() + ":" + maria.port() + "/" + database;
            run(
                    db,
                    uri,
                    maria.password(),
                    () -> maria.connect(database),
                    prefix,
                    source,
                    after,
                    compare,
                    () -> expected);
        } finally {
            maria.drop(database);
        }
    }

    private static Map<String, String> debeziumSource(TestDatabase db, String prefix) {
        Map<String, String> source = new HashMap<>();
        source.put("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        source.put("tasks.max", "1");
        source.put("topic.prefix", prefix);
        source.put("database.hostname", db.server().host());
        source.put("database.port", String.valueOf(db.server().port()));
        source.put("database.user", db.server().superuser());
        source.put("database.password", db.server().password());
        source.put("database.dbname", db.name());
        source.put("plugin.name", "pgoutput");
        source.put("slot.name", "s_" + prefix);
        source.put("publication.name", "p_" + prefix);
        source.put("publication.autocreate.mode", "disabled");
        source.put("snapshot.mode", "initial");
        source.put("topic.creation.default.replication.factor", "1");
        source.put("topic.creation.default.partitions", "1");
        SinkPipeline.withSchemas(source);
        return source;
    }

    /** {@link #run} into {@code target}; {@code expectedRows} is read once the changes after the connector ran. */
    private void run(
            TestDatabase db,
            TestDatabase target,
            String prefix,
            Map<String, String> source,
            String[] afterConnector,
            String compare,
            Supplier<List<String>> expectedRows)
            throws Exception {
        run(
                db,
                ConnectCluster.source(target),
                db.server().password(),
                target::connect,
                prefix,
                source,
                afterConnector,
                compare,
                expectedRows);
    }

    private void run(
            TestDatabase db,
            String targetUri,
            String targetPassword,
            Callable<Connection> target,
            String prefix,
            Map<String, String> source,
            String[] afterConnector,
            String compare,
            Supplier<List<String>> expectedRows)
            throws Exception {
        String sourceName = prefix + "-source";
        ConnectCluster.configure(connect, sourceName, source);
        ConnectCluster.await(WAIT, () -> ConnectCluster.taskRunning(connect, sourceName), "the source task");
        Map<String, String> sink = SinkPipeline.sinkConfig(prefix, targetUri, targetPassword);
        sink.put("topics", prefix + ".public.ty");
        sink.put("tasks.max", "1");
        String sinkName = prefix + "-sink";
        ConnectCluster.configure(connect, sinkName, sink);
        ConnectCluster.await(
                WAIT,
                () -> rows(target, "SELECT count(*) FROM ty").equals(List.of("1")),
                "the snapshot row at the destination; sink: " + SinkPipeline.taskStates(connect, sinkName));
        db.execute(afterConnector);
        List<String> expected = expectedRows.get();
        try {
            ConnectCluster.await(WAIT, () -> rows(target, compare).equals(expected), "the destination");
        } catch (AssertionError e) {
            assertThat(rows(target, compare))
                    .as("the destination; sink: " + SinkPipeline.taskStates(connect, sinkName))
                    .isEqualTo(expected);
        }
        ConnectCluster.delete(connect, sinkName);
        ConnectCluster.delete(connect, sourceName);
    }
}
