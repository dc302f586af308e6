package io.pgferry.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The one-call helpers keep their session between calls (a new one cost the CI machine tens of milliseconds of CPU
 * each, a third of the suite's CPU), and a call still sees nothing an earlier call left in the session.
 */
@PgTest
class IdleConnectionsTest {

    @Test
    void consecutiveCallsShareOneBackend(TestDatabase db) throws SQLException {
        long first = db.queryLong("SELECT pg_backend_pid()");
        db.execute("SELECT 1");
        assertThat(db.queryLong("SELECT pg_backend_pid()")).isEqualTo(first);
    }

    @Test
    void aCallSeesNoSettingTemporaryTableOrLockOfAnEarlierCall(TestDatabase db) throws SQLException {
        String zone = db.queryString("SHOW TimeZone");
        db.execute(
                "SET TimeZone = 'Pacific/Chatham'",
                "CREATE TEMPORARY TABLE scratch (id int)",
                "SELECT pg_advisory_lock(42)");
        assertThat(db.queryString("SHOW TimeZone")).isEqualTo(zone);
        assertThat(db.queryLong("SELECT count(*) FROM pg_class WHERE relname = 'scratch'"))
                .isZero();
        assertThat(db.queryLong("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database ="
                        + " (SELECT oid FROM pg_database WHERE datname = current_database())"))
                .isZero();
    }

    @Test
    void aTransactionLeftOpenIsRolledBackAndTheNextCallWorks(TestDatabase db) throws SQLException {
        db.execute("BEGIN", "CREATE TABLE half (id int)");
        assertThat(db.queryLong("SELECT count(*) FROM pg_class WHERE relname = 'half'"))
                .isZero();
        db.execute("CREATE TABLE whole (id int)");
        assertThat(db.queryLong("SELECT count(*) FROM pg_class WHERE relname = 'whole'"))
                .isEqualTo(1);
    }

    @Test
    void aKeptSessionTheServerEndedIsReplaced(TestDatabase db) throws Exception {
        long kept = db.queryLong("SELECT pg_backend_pid()");
        try (var other = db.connect();
                var st = other.createStatement()) {
            st.execute("SELECT pg_terminate_backend(" + kept + ", 10000)");
        }
        long next = db.queryLong("SELECT pg_backend_pid()");
        assertThat(next).isNotEqualTo(kept);
    }

    @Test
    void concurrentCallsUseDifferentSessions(TestDatabase db) throws Exception {
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Long> holder = CompletableFuture.supplyAsync(() -> {
            try {
                return db.withConnection(c -> {
                    inside.countDown();
                    try (var st = c.createStatement();
                            var rs = st.executeQuery("SELECT pg_backend_pid()")) {
                        rs.next();
                        long pid = rs.getLong(1);
                        assertThat(release.await(30, TimeUnit.SECONDS)).isTrue();
                        return pid;
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new SQLException(e);
                    }
                });
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(inside.await(30, TimeUnit.SECONDS)).isTrue();
        long mine = db.queryLong("SELECT pg_backend_pid()");
        release.countDown();
        assertThat(holder.get(30, TimeUnit.SECONDS)).isNotEqualTo(mine);
    }
}
