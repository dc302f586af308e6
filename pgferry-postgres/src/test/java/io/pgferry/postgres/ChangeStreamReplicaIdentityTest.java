package io.pgferry.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgferry.core.PgFerryException;
import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.Column;
import io.pgferry.core.event.ReplicaIdentity;
import io.pgferry.core.event.Row;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** What the old row holds under each replica identity, and a table without one. */
@PgTest
@Tag("stream")
class ChangeStreamReplicaIdentityTest {

    private static StreamConfig.Builder config(TestDatabase db) {
        return StreamConfig.builder().source(db.uri()).publication("p").slot("s");
    }

    private static List<String> texts(Row row) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < row.size(); i++) {
            out.add(row.text(i));
        }
        return out;
    }

    /** Streams {@code public.t} through the statements, one transaction each; returns the events in order. */
    private static List<ChangeEvent> run(TestDatabase db, String... statements) throws Exception {
        Collector c = new Collector();
        try (ChangeStream stream =
                ChangeStream.create(config(db).tables("public.t").build(), c)) {
            stream.start();
            db.execute(statements);
            c.awaitTransactions(statements.length);
            return c.changes().stream().map(Collector.Change::event).toList();
        }
    }

    @Test
    void defaultIdentitySendsTheOldKeyOnlyWhenTheKeyChangesAndOnDelete(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (k1 int, k2 text, v text, PRIMARY KEY (k1, k2))");
        List<ChangeEvent> events = run(
                db,
                "INSERT INTO t VALUES (1, 'a', 'x')",
                "UPDATE t SET v = 'y'",
                "UPDATE t SET k2 = 'b'",
                "DELETE FROM t");
        ChangeEvent.Insert insert = (ChangeEvent.Insert) events.get(0);
        assertThat(insert.relation().replicaIdentity()).isEqualTo(ReplicaIdentity.DEFAULT);
        assertThat(insert.relation().keyColumns()).extracting(Column::name).containsExactly("k1", "k2");

        assertThat(((ChangeEvent.Update) events.get(1)).before()).isNull();

        ChangeEvent.Update keyChange = (ChangeEvent.Update) events.get(2);
        assertThat(keyChange.before().isKeyOnly()).isTrue();
        assertThat(texts(keyChange.before())).containsExactly("1", "a", null);
        assertThat(texts(keyChange.after())).containsExactly("1", "b", "y");

        ChangeEvent.Delete delete = (ChangeEvent.Delete) events.get(3);
        assertThat(delete.before().isKeyOnly()).isTrue();
        assertThat(texts(delete.before())).containsExactly("1", "b", null);
    }

    @Test
    void fullIdentitySendsTheWholeOldRow(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int, v text, w int)", "ALTER TABLE t REPLICA IDENTITY FULL");
        List<ChangeEvent> events =
                run(db, "INSERT INTO t VALUES (1, 'x', NULL)", "UPDATE t SET v = 'y', w = 2", "DELETE FROM t");
        ChangeEvent.Update update = (ChangeEvent.Update) events.get(1);
        assertThat(update.relation().replicaIdentity()).isEqualTo(ReplicaIdentity.FULL);
        assertThat(update.relation().keyColumns()).extracting(Column::name).containsExactly("id", "v", "w");
        assertThat(update.before().isKeyOnly()).isFalse();
        assertThat(texts(update.before())).containsExactly("1", "x", null);
        assertThat(texts(update.after())).containsExactly("1", "y", "2");
        ChangeEvent.Delete delete = (ChangeEvent.Delete) events.get(2);
        assertThat(delete.before().isKeyOnly()).isFalse();
        assertThat(texts(delete.before())).containsExactly("1", "y", "2");
    }

    @Test
    void indexIdentitySendsTheIndexColumnsOnly(TestDatabase db) throws Exception {
        db.execute(
                "CREATE TABLE t (id int PRIMARY KEY, code text NOT NULL, v text)",
                "CREATE UNIQUE INDEX t_code ON t (code)",
                "ALTER TABLE t REPLICA IDENTITY USING INDEX t_code");
        List<ChangeEvent> events = run(
                db,
                "INSERT INTO t VALUES (1, 'c1', 'x')",
                "UPDATE t SET v = 'y'",
                "UPDATE t SET code = 'c2'",
                "DELETE FROM t");
        ChangeEvent.Insert insert = (ChangeEvent.Insert) events.get(0);
        assertThat(insert.relation().replicaIdentity()).isEqualTo(ReplicaIdentity.INDEX);
        assertThat(insert.relation().keyColumns()).extracting(Column::name).containsExactly("code");
        assertThat(((ChangeEvent.Update) events.get(1)).before()).isNull();
        ChangeEvent.Update keyChange = (ChangeEvent.Update) events.get(2);
        assertThat(keyChange.before().isKeyOnly()).isTrue();
        assertThat(texts(keyChange.before())).containsExactly(null, "c1", null);
        ChangeEvent.Delete delete = (ChangeEvent.Delete) events.get(3);
        assertThat(delete.before().isKeyOnly()).isTrue();
        assertThat(texts(delete.before())).containsExactly(null, "c2", null);
    }

    @Test
    void tableWithoutIdentityIsRefusedWhenTheStreamWouldPublishIt(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY, v text)", "ALTER TABLE t REPLICA IDENTITY NOTHING");
        ChangeStream stream = ChangeStream.create(config(db).tables("public.t").build(), new Collector());
        assertThatThrownBy(stream::start)
                .isInstanceOf(PgFerryException.class)
                .hasMessageContaining("public.t")
                .hasMessageContaining("ALTER TABLE")
                .hasMessageContaining("REPLICA IDENTITY FULL");
        assertThat(ServerProbe.publications(db)).isZero();
        assertThat(ServerProbe.slots(db)).isZero();
    }

    @Test
    void tableWithoutIdentityStreamsInsertsThroughAnInsertOnlyPublication(TestDatabase db) throws Exception {
        db.execute(
                "CREATE TABLE t (id int, v text)",
                "ALTER TABLE t REPLICA IDENTITY NOTHING",
                "CREATE PUBLICATION p FOR TABLE t WITH (publish = 'insert')");
        // Once through the publication as it is, once naming the table as well.
        for (StreamConfig config : List.of(
                config(db).build(), config(db).slot("s2").tables("public.t").build())) {
            Collector c = new Collector();
            try (ChangeStream stream = ChangeStream.create(config, c)) {
                stream.start();
                db.execute("INSERT INTO t VALUES (1, 'x')", "UPDATE t SET v = 'y'", "INSERT INTO t VALUES (2, 'z')");
                List<Collector.Tx> txs = c.awaitTransactions(2);
                assertThat(txs.get(0).changes())
                        .extracting(Collector.Change::after)
                        .containsExactly(List.of("1", "x"));
                assertThat(txs.get(1).changes())
                        .extracting(Collector.Change::after)
                        .containsExactly(List.of("2", "z"));
            }
            db.execute("DELETE FROM t");
        }
    }
}
