package io.pgferry.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** With until-caught-up, {@link ChangeStream#run()} returns by itself once what was committed before it is delivered. */
@PgTest
@Tag("stream")
class ChangeStreamUntilCaughtUpTest {

    @Test
    void runReturnsAfterDeliveringEverythingCommittedBeforeStart(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY)", "CREATE TABLE unpublished (id int)");
        StreamConfig.Builder config = StreamConfig.builder()
                .source(db.uri())
                .publication("p")
                .slot("s")
                .tables("public.t");
        // Creates the slot and publication; nothing to deliver yet.
        ChangeStream setup = ChangeStream.create(config.untilCaughtUp(true).build(), new Collector());
        assertTimeoutPreemptively(Duration.ofSeconds(60), setup::run);

        try (Connection c = db.connect();
                PreparedStatement ps = c.prepareStatement("INSERT INTO t VALUES (?)")) {
            for (int id = 1; id <= 100; id++) {
                ps.setInt(1, id);
                ps.executeUpdate();
            }
        }
        // The last WAL before the end position belongs to a table the stream does not see.
        db.execute("INSERT INTO unpublished VALUES (1)");
        Collector collector = new Collector();
        ChangeStream stream = ChangeStream.create(config.build(), collector);
        assertTimeoutPreemptively(Duration.ofSeconds(60), stream::run);

        List<Collector.Tx> txs = collector.transactions();
        assertThat(txs.stream().filter(tx -> !tx.changes().isEmpty()))
                .flatExtracting(Collector.Tx::changes)
                .extracting(ch -> Integer.parseInt(ch.after().get(0)))
                .containsExactlyElementsOf(IntStream.rangeClosed(1, 100).boxed().toList());
        assertThat(stream.state()).isEqualTo(ChangeStream.State.STOPPED);
        assertThat(stream.lastError()).isNull();
        assertThat(ServerProbe.confirmedFlush(db, "s"))
                .isGreaterThanOrEqualTo(txs.get(txs.size() - 1).endLsn());
    }
}
