package io.pgferry.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.PostgresServer;
import io.pgferry.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Regression (issue 5): a slot's creation waits until the transactions open at the source when it began have ended,
 * in any database of the server, and a forgotten prepared transaction holds it forever; a sync then sat silent at its
 * start. Now the start names them while it waits, without their queries.
 */
@PgTest
class SlotCreationWatchTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void aWaitingCreationNamesTheTransactionsItWaitsFor(TestDatabase db, PostgresServer server) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY)");
        String gid = "held_" + db.name();
        // In another database, which holds a new slot all the same: an idle session with a transaction ID, and a
        // prepared transaction. The value in the idle session's last query must not reach the log.
        try (Connection idle = server.connect("postgres");
                Connection preparing = server.connect("postgres");
                LogCapture logs = new LogCapture()) {
            int idlePid = pid(idle);
            try (Statement st = idle.createStatement()) {
                st.execute("SET application_name = 'forgotten-report'");
                idle.setAutoCommit(false);
                st.execute("SELECT pg_catalog.txid_current(), 'secret-in-a-query'");
            }
            try (Statement st = preparing.createStatement()) {
                st.execute("BEGIN");
                st.execute("SELECT pg_catalog.txid_current()");
                st.execute("PREPARE TRANSACTION '" + gid + "'");
            }
            try {
                StreamConfig config = StreamConfig.builder()
                        .source(db.uri())
                        .publication("p")
                        .slot("watch_" + db.name())
                        .tables("public.t")
                        .build();
                try (ChangeStream stream = ChangeStream.create(config, new Collector())) {
                    CompletableFuture<Void> started = CompletableFuture.runAsync(stream::start);
                    String report = awaitReport(logs);
                    assertThat(report)
                            .contains("creating slot watch_" + db.name() + " has waited ")
                            .contains(" s for transactions that were open at the source when it began")
                            .contains("pid " + idlePid + " (database postgres")
                            .contains("application 'forgotten-report', idle in transaction")
                            .contains("prepared transaction '" + gid + "' (database postgres")
                            .doesNotContain("secret-in-a-query");
                    assertThat(started).as("the creation still waits").isNotDone();

                    idle.commit();
                    server.execute("postgres", "ROLLBACK PREPARED '" + gid + "'");
                    started.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                    assertThat(db.slotReady("watch_" + db.name())).isTrue();
                }
            } finally {
                idle.rollback();
                try {
                    server.execute("postgres", "ROLLBACK PREPARED '" + gid + "'");
                } catch (SQLException e) {
                    // 42704: ended above, as it should be; any other failure is the test's to report.
                    if (!"42704".equals(e.getSQLState())) {
                        throw e;
                    }
                }
            }
        }
    }

    private static int pid(Connection c) throws Exception {
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT pg_catalog.pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** The first warning of the watch, waited for until {@link #WAIT}. */
    private static String awaitReport(LogCapture logs) throws InterruptedException {
        ILoggingEvent e = logs.await(
                ev -> ev.getLevel() == Level.WARN && ev.getLoggerName().equals(SlotCreationWatch.class.getName()),
                WAIT);
        assertThat(e).as("a report of the waiting creation within " + WAIT).isNotNull();
        return e.getFormattedMessage();
    }
}
