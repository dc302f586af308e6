package io.pgferry.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.core.event.Transaction;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.PostgresServer;
import io.pgferry.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The pgoutput protocol version the stream asks for, and protocol 1 (no streaming of large transactions). */
@PgTest
@Tag("stream")
class ChangeStreamProtocolTest {
    private static final String SMALL_DECODING_MEMORY = "&options=-c%20logical_decoding_work_mem%3D64kB";

    /** The START_REPLICATION command of the slot's walsender, as pg_stat_activity shows it. */
    private static String startCommand(TestDatabase db) throws Exception {
        String[] command = new String[1];
        ServerProbe.await("the walsender shows its command", Duration.ofSeconds(30), () -> {
            command[0] = db.queryString("SELECT coalesce(max(a.query), '') FROM pg_stat_activity a"
                    + " JOIN pg_replication_slots s ON s.active_pid = a.pid WHERE s.slot_name = 's'");
            return command[0].startsWith("START_REPLICATION");
        });
        return command[0];
    }

    @Test
    void highestProtocolOfTheServerIsUsed(TestDatabase db, PostgresServer server) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY)");
        int expected = server.majorVersion() >= 16 ? 4 : server.majorVersion() == 15 ? 3 : 2;
        Collector c = new Collector();
        StreamConfig config = StreamConfig.builder()
                .source(db.uri())
                .publication("p")
                .slot("s")
                .tables("public.t")
                .build();
        try (ChangeStream stream = ChangeStream.create(config, c)) {
            stream.start();
            db.execute("INSERT INTO t VALUES (1)");
            c.awaitTransactions(1);
            assertThat(startCommand(db))
                    .contains("\"proto_version\" '" + expected + "'")
                    .contains("\"streaming\" 'true'");
        }
    }

    @Test
    void protocolOneDeliversALargeTransactionWholeWithoutStreaming(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY, pad text)");
        Collector c = new Collector();
        StreamConfig config = StreamConfig.builder()
                .source(db.uri() + SMALL_DECODING_MEMORY)
                .publication("p")
                .slot("s")
                .tables("public.t")
                .protocolVersion(1)
                .build();
        try (ChangeStream stream = ChangeStream.create(config, c)) {
            stream.start();
            try (Connection conn = db.connect();
                    Statement st = conn.createStatement()) {
                conn.setAutoCommit(false);
                st.execute("INSERT INTO t SELECT i, repeat('x', 100) FROM generate_series(1, 1000) i");
                st.execute("UPDATE t SET pad = 'y' WHERE id <= 500");
                st.execute("INSERT INTO t SELECT i, 'z' FROM generate_series(1001, 1500) i");
                conn.commit();
            }
            List<Collector.Tx> txs = c.awaitTransactions(1);
            assertThat(startCommand(db)).contains("\"proto_version\" '1'").doesNotContain("streaming");
            Collector.Tx tx = txs.get(0);
            assertThat(tx.kind()).isEqualTo(Transaction.Kind.COMMITTED);
            assertThat(tx.changes()).hasSize(2000);
            assertThat(tx.changes().subList(0, 1000))
                    .extracting(ch -> Integer.parseInt(ch.after().get(0)))
                    .containsExactlyElementsOf(
                            IntStream.rangeClosed(1, 1000).boxed().toList());
            assertThat(tx.changes().subList(1000, 1500))
                    .extracting(Collector.Change::op)
                    .containsOnly("update");
            assertThat(tx.changes().subList(1500, 2000))
                    .extracting(ch -> Integer.parseInt(ch.after().get(0)))
                    .containsExactlyElementsOf(
                            IntStream.rangeClosed(1001, 1500).boxed().toList());
        }
    }
}
