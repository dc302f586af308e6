package io.pgferry.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.Relation;
import io.pgferry.core.event.Transaction;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Every pgoutput message type reaches the handler as the right event, in commit order. */
@PgTest
@Tag("stream")
class ChangeStreamMessageTypesTest {

    private static StreamConfig.Builder config(TestDatabase db) {
        return StreamConfig.builder().source(db.uri()).publication("p").slot("s");
    }

    /** Runs {@code sql} in one transaction and returns its xid (the low 32 bits of pg_current_xact_id()). */
    private static long commitReturningXid(TestDatabase db, String... sql) throws SQLException {
        try (Connection c = db.connect();
                Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            for (String s : sql) {
                st.execute(s);
            }
            long xid;
            try (ResultSet rs = st.executeQuery("SELECT pg_current_xact_id()::text::bigint")) {
                rs.next();
                xid = rs.getLong(1) & 0xFFFF_FFFFL;
            }
            c.commit();
            return xid;
        }
    }

    @Test
    void changesArriveInCommitOrderWithTheirXids(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE a (id int PRIMARY KEY, v text)", "CREATE TABLE b (id int PRIMARY KEY, v text)");
        Collector c = new Collector();
        try (ChangeStream stream =
                ChangeStream.create(config(db).tables("public.a", "public.b").build(), c)) {
            stream.start();
            long x1 = commitReturningXid(db, "INSERT INTO a VALUES (1, 'one')", "INSERT INTO b VALUES (1, 'uno')");
            long x2 = commitReturningXid(db, "UPDATE b SET v = 'due' WHERE id = 1", "UPDATE a SET v = 'two'");
            long x3 = commitReturningXid(db, "DELETE FROM a", "INSERT INTO a VALUES (3, 'three')");
            List<Collector.Tx> txs = c.awaitTransactions(3);
            assertThat(txs).hasSize(3);
            assertThat(txs).extracting(Collector.Tx::xid).containsExactly(x1, x2, x3);
            assertThat(txs).extracting(Collector.Tx::kind).containsOnly(Transaction.Kind.COMMITTED);
            assertThat(txs).extracting(Collector.Tx::origin).containsOnlyNulls();
            for (int i = 1; i < txs.size(); i++) {
                assertThat(txs.get(i).commitLsn()).isGreaterThan(txs.get(i - 1).commitLsn());
                assertThat(txs.get(i).commitLsn())
                        .isGreaterThanOrEqualTo(txs.get(i - 1).endLsn());
            }
            for (Collector.Tx tx : txs) {
                assertThat(tx.endLsn()).isGreaterThan(tx.commitLsn());
            }
            assertThat(ops(txs.get(0))).containsExactly("insert public.a", "insert public.b");
            assertThat(ops(txs.get(1))).containsExactly("update public.b", "update public.a");
            assertThat(ops(txs.get(2))).containsExactly("delete public.a", "insert public.a");
            assertThat(txs.get(1).changes().get(0).after()).containsExactly("1", "due");
            assertThat(txs.get(2).changes().get(0).before()).containsExactly("1", null);
            assertThat(txs.get(2).changes().get(1).after()).containsExactly("3", "three");
        }
    }

    @Test
    void truncateOfSeveralTablesIsOneEventWithItsOptions(TestDatabase db) throws Exception {
        db.execute(
                "CREATE TABLE parent (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY)",
                "CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent)",
                "CREATE TABLE other (id serial PRIMARY KEY)",
                "CREATE TABLE plain (id int PRIMARY KEY)");
        Collector c = new Collector();
        try (ChangeStream stream = ChangeStream.create(
                config(db)
                        .tables("public.parent", "public.child", "public.other", "public.plain")
                        .build(),
                c)) {
            stream.start();
            db.execute(
                    "INSERT INTO parent DEFAULT VALUES",
                    "INSERT INTO child VALUES (1, 1)",
                    "INSERT INTO other DEFAULT VALUES",
                    "TRUNCATE parent, other RESTART IDENTITY CASCADE",
                    "TRUNCATE plain");
            List<Collector.Tx> txs = c.awaitTransactions(5);
            ChangeEvent.Truncate t =
                    (ChangeEvent.Truncate) txs.get(3).changes().get(0).event();
            assertThat(txs.get(3).changes()).hasSize(1);
            assertThat(t.relations()).extracting(Relation::table).containsExactlyInAnyOrder("parent", "other", "child");
            assertThat(t.relations()).extracting(Relation::schema).containsOnly("public");
            assertThat(t.cascade()).isTrue();
            assertThat(t.restartIdentity()).isTrue();
            ChangeEvent.Truncate plain =
                    (ChangeEvent.Truncate) txs.get(4).changes().get(0).event();
            assertThat(plain.relations()).extracting(Relation::table).containsExactly("plain");
            assertThat(plain.cascade()).isFalse();
            assertThat(plain.restartIdentity()).isFalse();
        }
    }

    @Test
    void logicalMessagesTransactionalInsideTheirTransactionOthersAlone(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY)");
        Collector c = new Collector();
        try (ChangeStream stream =
                ChangeStream.create(config(db).tables("public.t").build(), c)) {
            stream.start();
            long xid = commitReturningXid(
                    db,
                    "INSERT INTO t VALUES (1)",
                    "SELECT pg_logical_emit_message(true, 'audit', 'inside')",
                    "INSERT INTO t VALUES (2)");
            db.execute("SELECT pg_logical_emit_message(false, 'notice', '\\x00ff'::bytea)");
            // A transactional message in a transaction that rolls back is never delivered.
            try (Connection conn = db.connect();
                    Statement st = conn.createStatement()) {
                conn.setAutoCommit(false);
                st.execute("SELECT pg_logical_emit_message(true, 'audit', 'rolled back')");
                conn.rollback();
            }
            db.execute("INSERT INTO t VALUES (3)");
            List<Collector.Tx> txs = c.awaitTransactions(3);

            Collector.Tx first = txs.get(0);
            assertThat(first.xid()).isEqualTo(xid);
            assertThat(first.kind()).isEqualTo(Transaction.Kind.COMMITTED);
            assertThat(first.changes()).extracting(Collector.Change::op).containsExactly("insert", "message", "insert");
            ChangeEvent.Message inside =
                    (ChangeEvent.Message) first.changes().get(1).event();
            assertThat(inside.prefix()).isEqualTo("audit");
            assertThat(inside.transactional()).isTrue();
            assertThat(new String(inside.content(), StandardCharsets.UTF_8)).isEqualTo("inside");

            Collector.Tx alone = txs.get(1);
            assertThat(alone.kind()).isEqualTo(Transaction.Kind.MESSAGE);
            assertThat(alone.xid()).isZero();
            assertThat(alone.changes()).hasSize(1);
            ChangeEvent.Message m = (ChangeEvent.Message) alone.changes().get(0).event();
            assertThat(m.prefix()).isEqualTo("notice");
            assertThat(m.transactional()).isFalse();
            assertThat(m.content()).containsExactly(0x00, 0xff);
            assertThat(alone.commitLsn()).isGreaterThan(first.commitLsn());
            // The server sends no commit time with a lone message, and the stream makes none up (issue #5: it
            // was the local clock at delivery).
            assertThat(alone.commitTime()).isNull();
            assertThat(first.commitTime()).isNotNull();

            Collector.Tx last = txs.get(2);
            assertThat(last.changes()).extracting(Collector.Change::op).containsExactly("insert");
            assertThat(txs).hasSize(3);
        }
    }

    @Test
    void originOfAReplicatedTransactionIsReported(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY)");
        // Origins are cluster-wide: a unique name, dropped at the end.
        String origin = "pgferry_test_"
                + Long.toHexString(ThreadLocalRandom.current().nextLong()).toLowerCase(Locale.ROOT);
        Collector c = new Collector();
        try (ChangeStream stream =
                ChangeStream.create(config(db).tables("public.t").build(), c)) {
            stream.start();
            try (Connection conn = db.connect();
                    Statement st = conn.createStatement()) {
                st.execute("SELECT pg_replication_origin_create('" + origin + "')");
                try {
                    st.execute("SELECT pg_replication_origin_session_setup('" + origin + "')");
                    st.execute("INSERT INTO t VALUES (1)");
                    st.execute("SELECT pg_replication_origin_session_reset()");
                    st.execute("INSERT INTO t VALUES (2)");
                    // The walsender looks the origin's name up when it decodes the commit: drop it only after.
                    List<Collector.Tx> txs = c.awaitTransactions(2);
                    assertThat(txs.get(0).origin()).isEqualTo(origin);
                    assertThat(txs.get(0).changes().get(0).after()).containsExactly("1");
                    assertThat(txs.get(1).origin()).isNull();
                } finally {
                    st.execute("SELECT pg_replication_origin_drop('" + origin + "')");
                }
            }
        }
    }

    private static List<String> ops(Collector.Tx tx) {
        List<String> out = new ArrayList<>();
        for (Collector.Change ch : tx.changes()) {
            out.add(ch.op() + " " + ch.table());
        }
        return out;
    }
}
