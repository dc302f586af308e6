package io.pgferry.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.Transaction;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@PgTest
@Tag("stream")
class ChangeStreamBasicsTest {

    static StreamConfig.Builder config(TestDatabase db) {
        return StreamConfig.builder().source(db.uri()).publication("p").slot("s");
    }

    @Test
    void deliversInsertUpdateDeleteInCommitOrder(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY, v text)");
        Collector c = new Collector();
        try (ChangeStream stream =
                ChangeStream.create(config(db).tables("public.t").build(), c)) {
            stream.start();
            db.execute(
                    "INSERT INTO t VALUES (1, 'a'), (2, 'b')",
                    "UPDATE t SET v = 'c' WHERE id = 1",
                    "UPDATE t SET id = 3 WHERE id = 2",
                    "DELETE FROM t WHERE id = 1");
            List<Collector.Tx> txs = c.awaitTransactions(4);
            assertThat(txs).extracting(Collector.Tx::kind).containsOnly(Transaction.Kind.COMMITTED);
            assertThat(txs.get(0).changes())
                    .extracting(Collector.Change::after)
                    .containsExactly(List.of("1", "a"), List.of("2", "b"));
            Collector.Change upd = txs.get(1).changes().get(0);
            assertThat(upd.op()).isEqualTo("update");
            assertThat(upd.before()).isNull();
            assertThat(upd.after()).containsExactly("1", "c");
            Collector.Change keyChange = txs.get(2).changes().get(0);
            assertThat(keyChange.before()).containsExactly("2", null);
            assertThat(((ChangeEvent.Update) keyChange.event()).before().isKeyOnly())
                    .isTrue();
            assertThat(keyChange.after()).containsExactly("3", "b");
            Collector.Change del = txs.get(3).changes().get(0);
            assertThat(del.op()).isEqualTo("delete");
            assertThat(del.before().get(0)).isEqualTo("1");
            for (int i = 1; i < txs.size(); i++) {
                assertThat(txs.get(i).commitLsn()).isGreaterThan(txs.get(i - 1).commitLsn());
            }
            assertThat(txs.get(0).xid()).isPositive();
        }
    }
}
