package io.pgferry.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgferry.postgres.admin.SlotAdmin;
import io.pgferry.postgres.admin.SlotLostException;
import io.pgferry.postgres.connect.Dsn;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.PostgresServer;
import io.pgferry.testkit.SlotInvalidation;
import io.pgferry.testkit.TestDatabase;
import java.sql.Connection;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A slot the server invalidated, because its consumer fell more than {@code max_slot_wal_keep_size} behind, stops the
 * stream with an error that says so and what to do. Regression (issue 5, found when a slot was invalidated on a
 * server set up as docs/postgresql-setup.md recommends): the stream stopped with "database error 55000: ERROR: cannot
 * read from logical replication slot" and the fix "see the PostgreSQL server log for details", which named neither
 * the cause nor the way out; `pgferry slots list` did not show it either.
 */
@PgTest
@Tag("stream")
class SlotLostTest {

    @Test
    void aSlotInvalidatedBeforeTheStartIsRefusedNamingWhyAndTheWayOut() throws Exception {
        PostgresServer server = SlotInvalidation.startServer();
        try (TestDatabase db = TestDatabase.create(server)) {
            db.execute(
                    "CREATE TABLE t (id int PRIMARY KEY)",
                    "CREATE PUBLICATION p FOR TABLE t",
                    "SELECT pg_create_logical_replication_slot('s', 'pgoutput')");
            SlotInvalidation.invalidate(db, "s");
            try (Connection c = db.connect()) {
                SlotAdmin.SlotInfo slot =
                        new SlotAdmin(c, Dsn.parse(db.uri())).find("s").orElseThrow();
                assertThat(slot.walStatus()).isEqualTo("lost");
                assertThat(slot.invalidation()).isEqualTo("wal_removed");
                assertThat(slot.invalidated()).isTrue();
            }
            StreamConfig config = StreamConfig.builder()
                    .source(db.uri())
                    .publication("p")
                    .slot("s")
                    .build();
            assertThatThrownBy(
                            () -> ChangeStream.create(config, new Collector()).start())
                    .isInstanceOfSatisfying(SlotLostException.class, e -> {
                        assertThat(e.isRetriable()).isFalse();
                        assertThat(e.slot()).isEqualTo("s");
                        assertThat(e.problem())
                                .startsWith("replication slot s was invalidated by the server (wal_removed: it fell"
                                        + " more than max_slot_wal_keep_size behind");
                        assertThat(e.fix()).startsWith("drop the slot (SELECT pg_drop_replication_slot('s'))");
                    });
        } finally {
            server.embedded().close();
        }
    }

    /**
     * Invalidated while streaming: the server ends the walsender (a lost connection, retried), and the retry's
     * START_REPLICATION fails; that failure says why instead of "cannot read from logical replication slot".
     */
    @Test
    void aSlotInvalidatedWhileStreamingStopsTheStreamNamingWhy() throws Exception {
        PostgresServer server = SlotInvalidation.startServer();
        try (TestDatabase db = TestDatabase.create(server)) {
            db.execute("CREATE TABLE t (id int PRIMARY KEY)");
            // Never acknowledges: the slot stays where the first transaction began, as behind a stuck destination.
            Collector stuck = new Collector(false);
            StreamConfig config = StreamConfig.builder()
                    .source(db.uri())
                    .publication("p")
                    .slot("s")
                    .tables("public.t")
                    .maxRetryTime(Duration.ofMinutes(2))
                    .build();
            try (ChangeStream stream = ChangeStream.create(config, stuck)) {
                stream.start();
                db.execute("INSERT INTO t VALUES (1)");
                stuck.awaitTransactions(1);
                SlotInvalidation.invalidate(db, "s");
                assertThat(stream.awaitTermination(Duration.ofSeconds(90)))
                        .as("the stream stops")
                        .isTrue();
                assertThat(stream.lastError())
                        .isInstanceOf(SlotLostException.class)
                        .hasMessageContaining("replication slot s was invalidated by the server (wal_removed");
            }
        } finally {
            server.embedded().close();
        }
    }
}
