package io.pgferry.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.Row;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** An UPDATE that leaves a large out-of-line (TOASTed) value alone: the server does not send it again. */
@PgTest
@Tag("stream")
class ChangeStreamToastTest {
    /** About 1 MB of md5 hex digits: compresses poorly, so it is stored out of line in the TOAST table. */
    private static final String BIG = "(SELECT string_agg(md5(i::text), '') FROM generate_series(1, 32768) i)";

    private static StreamConfig.Builder config(TestDatabase db) {
        return StreamConfig.builder()
                .source(db.uri())
                .publication("p")
                .slot("s")
                .tables("public.t");
    }

    @Test
    void unchangedToastValueIsMarkedAndOtherColumnsArePresent(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY, big text, small text)");
        String big = db.queryString("SELECT " + BIG);
        assertThat(big).hasSize(1 << 20);
        Collector c = new Collector();
        try (ChangeStream stream = ChangeStream.create(config(db).build(), c)) {
            stream.start();
            db.execute(
                    "INSERT INTO t VALUES (1, " + BIG + ", 'before')",
                    "UPDATE t SET small = 'after' WHERE id = 1",
                    "UPDATE t SET big = 'short now' WHERE id = 1");
            c.awaitTransactions(3);
            ChangeEvent.Insert insert = (ChangeEvent.Insert)
                    c.transactions().get(0).changes().get(0).event();
            assertThat(insert.after().text(1)).isEqualTo(big);

            ChangeEvent.Update update = (ChangeEvent.Update)
                    c.transactions().get(1).changes().get(0).event();
            Row after = update.after();
            assertThat(update.before()).isNull();
            assertThat(after.isUnchangedToast(1)).isTrue();
            assertThat(after.text(1)).isNull();
            assertThat(after.value(1)).isNull();
            assertThat(after.isNull(1)).isFalse();
            assertThat(after.value(0)).isEqualTo(1);
            assertThat(after.value(2)).isEqualTo("after");
            assertThat(after.isUnchangedToast(0)).isFalse();
            assertThat(after.isUnchangedToast(2)).isFalse();

            ChangeEvent.Update changed = (ChangeEvent.Update)
                    c.transactions().get(2).changes().get(0).event();
            assertThat(changed.after().isUnchangedToast(1)).isFalse();
            assertThat(changed.after().text(1)).isEqualTo("short now");
        }
    }

    @Test
    void withReplicaIdentityFullTheOldRowIsComplete(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY, big text, small text)", "ALTER TABLE t REPLICA IDENTITY FULL");
        String big = db.queryString("SELECT " + BIG);
        Collector c = new Collector();
        try (ChangeStream stream = ChangeStream.create(config(db).build(), c)) {
            stream.start();
            db.execute(
                    "INSERT INTO t VALUES (1, " + BIG + ", 'before')",
                    "UPDATE t SET small = 'after' WHERE id = 1",
                    "DELETE FROM t");
            c.awaitTransactions(3);
            ChangeEvent.Update update = (ChangeEvent.Update)
                    c.transactions().get(1).changes().get(0).event();
            Row before = update.before();
            assertThat(before).isNotNull();
            assertThat(before.isKeyOnly()).isFalse();
            assertThat(before.isUnchangedToast(1)).isFalse();
            assertThat(before.text(1)).isEqualTo(big);
            assertThat(before.text(2)).isEqualTo("before");
            assertThat(update.after().text(2)).isEqualTo("after");
            // The new row may still leave the unchanged value out; the old row then supplies it.
            String afterBig = update.after().isUnchangedToast(1)
                    ? before.text(1)
                    : update.after().text(1);
            assertThat(afterBig).isEqualTo(big);

            ChangeEvent.Delete delete = (ChangeEvent.Delete)
                    c.transactions().get(2).changes().get(0).event();
            assertThat(delete.before().isKeyOnly()).isFalse();
            assertThat(delete.before().text(1)).isEqualTo(big);
            assertThat(delete.before().text(2)).isEqualTo("after");
        }
    }
}
