package io.pgferry.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.pgferry.core.PgFerryException;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.PostgresServer;
import io.pgferry.testkit.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Row values and passwords never reach the logs, at DEBUG, on the normal path, on a failed start and on the
 * reconnect path; and the errors a user sees are one line without the password.
 *
 * <p>The secret row value is built on the server ({@link #SECRET_SQL}), so the test's own SQL text never contains
 * it: anything in the logs that does came back out of the stream.
 */
@PgTest
@Tag("stream")
class LogSafetyTest {
    static final String SECRET_ROW = "s3cr3t-row-value-42";
    static final String SECRET_SQL = "('s3cr3t-row-' || 'value-' || (40 + 2)::text)";
    private static final Duration WAIT = Duration.ofSeconds(60);

    static String slot(TestDatabase db) {
        return "log_" + db.name();
    }

    @Test
    void streamingRowsLogsNeitherValuesNorThePassword(TestDatabase db, PostgresServer server) throws Exception {
        db.execute(
                "CREATE TABLE t (id int PRIMARY KEY, v text, j jsonb, b bytea)",
                "ALTER TABLE t REPLICA IDENTITY FULL",
                // Existing before the slot: delivered by the snapshot.
                "INSERT INTO t VALUES (0, " + SECRET_SQL + ", jsonb_build_object('k', " + SECRET_SQL + "),"
                        + " convert_to(" + SECRET_SQL + ", 'UTF8'))");
        Collector c = new Collector();
        try (LogCapture logs = new LogCapture()) {
            StreamConfig config = StreamConfig.builder()
                    .source(db.uri())
                    .publication("p")
                    .slot(slot(db))
                    .tables("public.t")
                    .snapshot(true)
                    .heartbeatInterval(Duration.ofMillis(200))
                    .build();
            try (ChangeStream stream = ChangeStream.create(config, c)) {
                stream.start();
                db.execute(
                        "INSERT INTO t VALUES (1, " + SECRET_SQL + ", jsonb_build_object('k', " + SECRET_SQL + "),"
                                + " convert_to(" + SECRET_SQL + ", 'UTF8'))",
                        "UPDATE t SET id = 2 WHERE id = 1",
                        "DELETE FROM t WHERE id = 0",
                        "SELECT pg_logical_emit_message(true, 'pgferry.test', " + SECRET_SQL + ")");
                c.await(
                        txs -> txs.stream().anyMatch(tx -> tx.changes().stream()
                                .anyMatch(ch -> ch.op().equals("message"))),
                        WAIT);
                // The secret did flow through the stream, so a leak would have had its chance.
                assertThat(c.changes())
                        .extracting(Collector.Change::op)
                        .containsExactly("read", "insert", "update", "delete", "message");
                assertThat(c.changes().get(1).after()).contains(SECRET_ROW);
                assertThat(c.changes().get(3).before()).contains(SECRET_ROW);
            }
            assertThat(logs.events())
                    .extracting(ILoggingEvent::getFormattedMessage)
                    .anySatisfy(m -> assertThat(m).startsWith("streaming slot " + slot(db)));
            logs.assertSlf4jNeverContains(SECRET_ROW, server.password());
            logs.assertPgjdbcNeverContains(SECRET_ROW, server.password());
        }
    }

    @Test
    void wrongPasswordIsNeitherInTheErrorNorInTheLogs(TestDatabase db, PostgresServer server) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY, v text)");
        String wrong = "Wr0ng-pa55w0rd-s3cr3t";
        List<String> dsns = List.of(
                "postgresql://postgres:" + wrong + "@" + server.host() + ":" + server.port() + "/" + db.name(),
                "host=" + server.host() + " port=" + server.port() + " dbname=" + db.name() + " user=postgres"
                        + " password='" + wrong + "' sslmode=verify-full sslrootcert='" + server.caCertificate()
                        + "'");
        try (LogCapture logs = new LogCapture()) {
            for (String dsn : dsns) {
                StreamConfig config = StreamConfig.builder()
                        .source(dsn)
                        .publication("p")
                        .slot(slot(db))
                        .tables("public.t")
                        .build();
                try (ChangeStream stream = ChangeStream.create(config, new Collector())) {
                    PgFerryException e = catchThrowableOfType(PgFerryException.class, stream::start);
                    assertThat(e).as("start() with a wrong password").isNotNull();
                    assertThat(e.problem())
                            .isEqualTo("password authentication failed for user \"postgres\" at " + server.host() + ":"
                                    + server.port());
                    assertThat(e.fix()).isEqualTo("check the password in the DSN");
                    assertThat(e.isRetriable()).isFalse();
                    assertOneLineWithout(e, wrong, server.password());
                    assertThat(stream.state()).isEqualTo(ChangeStream.State.STOPPED);
                }
            }
            assertThat(ServerProbe.slots(db)).isZero();
            assertThat(ServerProbe.publications(db)).isZero();
            logs.assertSlf4jNeverContains(wrong, server.password());
            logs.assertPgjdbcNeverContains(wrong, server.password());
        }
    }

    @Test
    void malformedDsnsHoldingAPasswordFailOnOneLineWithoutIt(TestDatabase db) {
        String secret = "Dsn-pa55w0rd-s3cr3t";
        List<String> bad = List.of(
                "postgresql://postgres:" + secret + "@127.0.0.1:notaport/db",
                "postgresql://postgres:" + secret + "@127.0.0.1:5432/db?sslmode=sometimes",
                "host=127.0.0.1 password=" + secret + " sslmode=verify-fulll",
                "host=127.0.0.1 password='" + secret,
                "host=127.0.0.1 password=" + secret + " nosuchkey=1",
                "host=127.0.0.1 password=" + secret + " port=65536",
                "host=127.0.0.1\npassword=" + secret + "\nsslcrl=/x");
        try (LogCapture logs = new LogCapture()) {
            for (String dsn : bad) {
                PgFerryException e = catchThrowableOfType(
                        PgFerryException.class,
                        () -> StreamConfig.builder().source(dsn).build());
                assertThat(e).as("parsing a malformed DSN").isNotNull();
                assertOneLineWithout(e, secret);
            }
            logs.assertSlf4jNeverContains(secret);
            logs.assertPgjdbcNeverContains(secret);
        }
    }

    @Test
    void reconnectAfterTheWalsenderIsKilledIsLoggedWithoutSecrets(TestDatabase db, PostgresServer server)
            throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY, v text)");
        String slot = slot(db);
        Collector c = new Collector();
        try (LogCapture logs = new LogCapture()) {
            StreamConfig config = StreamConfig.builder()
                    .source(db.uri())
                    .publication("p")
                    .slot(slot)
                    .tables("public.t")
                    .checkpointInterval(Duration.ofMillis(100))
                    .build();
            try (ChangeStream stream = ChangeStream.create(config, c)) {
                stream.start();
                db.execute("INSERT INTO t VALUES (1, " + SECRET_SQL + ")");
                c.awaitChanges(1);
                long walsender = db.queryLong(
                        "SELECT active_pid FROM pg_catalog.pg_replication_slots WHERE slot_name = '" + slot + "'");
                assertThat(db.queryString("SELECT pg_catalog.pg_terminate_backend(" + walsender + ")::text"))
                        .isEqualTo("true");
                db.execute("INSERT INTO t VALUES (2, " + SECRET_SQL + ")");
                c.await(
                        txs -> txs.stream()
                                .flatMap(tx -> tx.changes().stream())
                                .anyMatch(ch -> ch.after().get(0).equals("2")),
                        WAIT);
                ServerProbe.await("a new walsender holds the slot", WAIT, () -> {
                    String pid = db.queryString("SELECT active_pid::text FROM pg_catalog.pg_replication_slots"
                            + " WHERE slot_name = '" + slot + "'");
                    return pid != null && Long.parseLong(pid) != walsender;
                });
                assertThat(stream.stats().reconnects()).isPositive();
                assertThat(stream.lastError()).isNull();
                assertThat(c.changes())
                        .as("the acknowledged row is not delivered again")
                        .extracting(ch -> ch.after().get(0))
                        .containsExactly("1", "2");
            }
            List<ILoggingEvent> warnings = logs.events().stream()
                    .filter(e -> e.getLevel() == Level.WARN && e.getLoggerName().equals(StreamLoop.class.getName()))
                    .toList();
            assertThat(warnings)
                    .extracting(ILoggingEvent::getFormattedMessage)
                    .anySatisfy(
                            m -> assertThat(m).startsWith("connection lost (").contains("reconnecting in"))
                    .allSatisfy(m -> assertThat(m).doesNotContain("\n").doesNotContain("\r"));
            logs.assertSlf4jNeverContains(SECRET_ROW, server.password());
            logs.assertPgjdbcNeverContains(SECRET_ROW, server.password());
        }
    }

    /**
     * A handler's exception often quotes the row it choked on (a sink's "Key (id)=(...) already exists"): the stream
     * hands it to the caller through {@link ChangeStream#lastError()} but does not log its message.
     */
    @Test
    void handlerExceptionQuotingARowIsNotLogged(TestDatabase db, PostgresServer server) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY, v text)");
        StreamConfig config = StreamConfig.builder()
                .source(db.uri())
                .publication("p")
                .slot(slot(db))
                .tables("public.t")
                .build();
        try (LogCapture logs = new LogCapture()) {
            ChangeStream stream = ChangeStream.create(config, tx -> {
                for (var change : tx) {
                    throw new IllegalStateException(
                            "sink rejected " + Collector.toChange(change).after() + "\nDETAIL: duplicate key");
                }
            });
            try (stream) {
                stream.start();
                db.execute("INSERT INTO t VALUES (1, " + SECRET_SQL + ")");
                assertThat(stream.awaitTermination(WAIT)).as("the stream stops").isTrue();
            }
            assertThat(stream.lastError())
                    .as("the caller still gets the handler's own exception")
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(SECRET_ROW);
            assertThat(logs.events())
                    .filteredOn(e -> e.getLevel() == Level.ERROR)
                    .extracting(ILoggingEvent::getFormattedMessage)
                    .singleElement()
                    .satisfies(m -> assertThat(m)
                            .startsWith("stream stopped: the handler threw java.lang.IllegalStateException")
                            .doesNotContain("\n"));
            logs.assertSlf4jNeverContains(SECRET_ROW, server.password());
        }
    }

    /**
     * Names are user input and PostgreSQL allows line breaks in quoted identifiers; an error quoting one must still be
     * one line.
     */
    @Test
    void badNamesWithLineBreaksFailOnOneLine(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY, v text)", "CREATE TABLE \"two\nlines\" (id int)");
        List<Supplier<StreamConfig.Builder>> bad = List.of(
                () -> StreamConfig.builder().source(db.uri()).slot("bad\nslot").tables("public.t"),
                () -> StreamConfig.builder()
                        .source(db.uri())
                        .publication("pub\nlic")
                        .slot(slot(db)),
                () -> StreamConfig.builder().source(db.uri()).slot(slot(db)).tables("public.\"no\r\nsuch\""),
                () -> StreamConfig.builder().source(db.uri()).slot(slot(db)).tables("public.\"two\nlines\""),
                () -> StreamConfig.builder().source(db.uri()).slot(slot(db)).tables("public.\"unclosed\n"));
        List<String> messages = new ArrayList<>();
        for (Supplier<StreamConfig.Builder> b : bad) {
            PgFerryException e = catchThrowableOfType(PgFerryException.class, () -> {
                try (ChangeStream stream = ChangeStream.create(b.get().build(), new Collector())) {
                    stream.start();
                }
            });
            assertThat(e).as("a bad name fails build() or start()").isNotNull();
            assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("\r");
            messages.add(e.problem());
        }
        assertThat(messages)
                .containsExactly(
                        "invalid configuration (slot): slot name 'bad\\nslot' is not valid",
                        "publication pub\\nlic does not exist",
                        "table public.\"no\\r\\nsuch\" does not exist",
                        "table public.\"two\\nlines\" has no usable replica identity, so UPDATE and DELETE on it"
                                + " would fail once published",
                        "invalid table list 'public.\"unclosed\\n': unclosed double quote at position 18");
        assertThat(ServerProbe.slots(db)).isZero();
    }

    /** The error and every message in its cause chain: one line, and none of {@code secrets}. */
    static void assertOneLineWithout(PgFerryException e, String... secrets) {
        assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("\r");
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            for (String s : secrets) {
                assertThat(String.valueOf(t.getMessage()))
                        .as(
                                "message of %s in the cause chain holds a secret",
                                t.getClass().getName())
                        .doesNotContain(s);
            }
        }
    }
}
