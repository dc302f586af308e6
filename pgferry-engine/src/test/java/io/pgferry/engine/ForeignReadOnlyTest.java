package io.pgferry.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.engine.config.SyncConfig;
import io.pgferry.jdbc.foreign.JdbcTargetUri;
import io.pgferry.testkit.MariaDbServer;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A MariaDB destination that turns read-only while the sync streams (a primary demoted to a replica, {@code SET
 * GLOBAL read_only}): the writes it refuses with error 1290 are retried, within the retry time, until it takes
 * writes again, and nothing is lost. Regression (issue 7): the sync stopped at the first such write, with "see the
 * destination server's log", as a PostgreSQL target did before SQLSTATE 25006 was retried.
 */
@PgTest
@Tag("stream")
@Tag("mariadb")
class ForeignReadOnlyTest {
    @Test
    void aMariadbTargetThatTurnsReadOnlyIsRetriedUntilItTakesWritesAgain(TestDatabase source) throws Exception {
        source.execute("CREATE TABLE t (id int PRIMARY KEY, v int)", "INSERT INTO t VALUES (1, 0)");
        MariaDbServer server = MariaDbServer.shared();
        try (Destination.MariaDb d = (Destination.MariaDb) Destination.mariadb()) {
            // read_only holds back every user without READ_ONLY ADMIN (or SUPER): not the test kit's root.
            String user = "ro_" + d.database();
            server.execute(
                    d.database(),
                    "CREATE USER '" + user + "'@'%' IDENTIFIED BY 'pw'",
                    "GRANT ALL ON `" + d.database() + "`.* TO '" + user + "'@'%'");
            String uri = "mariadb://" + user + ":pw@" + server.host() + ":" + server.port() + "/" + d.database();
            SyncConfig config = SyncConfig.builder()
                    .source(source.uri())
                    .target(JdbcTargetUri.parse(uri, Map.of()))
                    .maxRetryTime(Duration.ofMinutes(2))
                    .build();
            String q = "SELECT id, v FROM " + d.qualified("t") + " ORDER BY id";
            try (RunningSync running = RunningSync.start(new SyncEngine(config))) {
                ForeignSyncTest.awaitRows(d, q, List.of("1|0"), Duration.ofSeconds(60));
                // The copy's end (its position and states) is written after its rows: read-only only once it is done.
                running.awaitStreaming();
                server.execute(d.database(), "SET GLOBAL read_only = ON");
                try {
                    source.execute("UPDATE t SET v = 1", "INSERT INTO t VALUES (2, 2)");
                    running.awaitHandlerErrors(2, "write was refused as read-only");
                } finally {
                    server.execute(d.database(), "SET GLOBAL read_only = OFF");
                }
                ForeignSyncTest.awaitRows(d, q, List.of("1|1", "2|2"), Duration.ofSeconds(90));
                running.assertRunning();
                assertThat(d.rows(q)).containsExactly("1|1", "2|2");
            } finally {
                server.execute(d.database(), "DROP USER '" + user + "'@'%'");
            }
        }
    }
}
