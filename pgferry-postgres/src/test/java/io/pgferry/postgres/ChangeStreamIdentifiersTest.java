package io.pgferry.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.Column;
import io.pgferry.core.event.Relation;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Names that need quoting everywhere: the stream creates its publication with them and reports them exactly. */
@PgTest
@Tag("stream")
class ChangeStreamIdentifiersTest {

    @Test
    void quotedSchemaTableAndColumnNamesArriveExactly(TestDatabase db) throws Exception {
        db.execute(
                "CREATE SCHEMA \"Mixed Schema\"",
                "CREATE TABLE \"Mixed Schema\".\"Tab\"\"le ü\" (\"Id\" int PRIMARY KEY, \"with space\" text,"
                        + " \"quo\"\"te\" text, \"ünï ✓\" text, \"select\" text, \"a.b,c\" text)");
        Collector c = new Collector();
        StreamConfig config = StreamConfig.builder()
                .source(db.uri())
                .publication("Pub Lication")
                .slot("s")
                .tables("\"Mixed Schema\".\"Tab\"\"le ü\"")
                .build();
        try (ChangeStream stream = ChangeStream.create(config, c)) {
            stream.start();
            assertThat(db.queryString("SELECT schemaname || '|' || tablename FROM pg_publication_tables"
                            + " WHERE pubname = 'Pub Lication'"))
                    .isEqualTo("Mixed Schema|Tab\"le ü");
            db.execute(
                    "INSERT INTO \"Mixed Schema\".\"Tab\"\"le ü\" VALUES (1, 'a', 'b', 'c', 'd', 'e')",
                    "UPDATE \"Mixed Schema\".\"Tab\"\"le ü\" SET \"Id\" = 2, \"select\" = 'D'",
                    "TRUNCATE \"Mixed Schema\".\"Tab\"\"le ü\"");
            List<Collector.Tx> txs = c.awaitTransactions(3);
            ChangeEvent.Insert insert =
                    (ChangeEvent.Insert) txs.get(0).changes().get(0).event();
            Relation r = insert.relation();
            assertThat(r.schema()).isEqualTo("Mixed Schema");
            assertThat(r.table()).isEqualTo("Tab\"le ü");
            assertThat(r.columns())
                    .extracting(Column::name)
                    .containsExactly("Id", "with space", "quo\"te", "ünï ✓", "select", "a.b,c");
            assertThat(r.keyColumns()).extracting(Column::name).containsExactly("Id");
            assertThat(insert.after().value("ünï ✓")).isEqualTo("c");
            assertThat(insert.after().value("quo\"te")).isEqualTo("b");
            ChangeEvent.Update update =
                    (ChangeEvent.Update) txs.get(1).changes().get(0).event();
            assertThat(update.before().value("Id")).isEqualTo(1);
            assertThat(update.after().value("select")).isEqualTo("D");
            ChangeEvent.Truncate truncate =
                    (ChangeEvent.Truncate) txs.get(2).changes().get(0).event();
            assertThat(truncate.relations()).extracting(Relation::table).containsExactly("Tab\"le ü");
        }
    }

    @Test
    void snapshotOfAQuotedTableReadsEveryColumn(TestDatabase db) throws Exception {
        db.execute(
                "CREATE SCHEMA \"Mixed Schema\"",
                "CREATE TABLE \"Mixed Schema\".\"Tab\"\"le ü\" (\"Id\" int PRIMARY KEY, \"select\" text,"
                        + " \"quo\"\"te\" text)",
                "INSERT INTO \"Mixed Schema\".\"Tab\"\"le ü\" VALUES (1, 'x\ty\\z', NULL)");
        Collector c = new Collector();
        StreamConfig config = StreamConfig.builder()
                .source(db.uri())
                .publication("p")
                .slot("s")
                .tables("\"Mixed Schema\".\"Tab\"\"le ü\"")
                .snapshot(true)
                .build();
        try (ChangeStream stream = ChangeStream.create(config, c)) {
            stream.start();
            Collector.Tx tx = c.awaitTransactions(1).get(0);
            ChangeEvent.Read read = (ChangeEvent.Read) tx.changes().get(0).event();
            assertThat(read.relation().schema()).isEqualTo("Mixed Schema");
            assertThat(read.relation().table()).isEqualTo("Tab\"le ü");
            assertThat(tx.changes().get(0).after()).containsExactly("1", "x\ty\\z", null);
        }
    }
}
