package io.pgferry.engine;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.pgferry.engine.config.CopyMode;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Issue 7: a sync into MariaDB or SQLite created each table with its primary key alone, so every query on the
 * destination that the source answered from an index scanned the table. The source's btree indexes on columns are
 * now built on the tables the sync creates once their rows are in, unique ones as plain indexes; the others are left
 * out with a warning naming the index and the reason. Mixed-case and non-ASCII names are quoted throughout.
 */
@PgTest
@Tag("stream")
@Tag("mariadb")
class ForeignIndexesTest {
    private final ListAppender<ILoggingEvent> warnings = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(ForeignIndexes.class);

    @BeforeEach
    void listen() {
        warnings.start();
        logger.addAppender(warnings);
    }

    @AfterEach
    void stopListening() {
        logger.detachAppender(warnings);
    }

    private static void load(TestDatabase source) throws Exception {
        source.execute(
                "CREATE TABLE \"Ordérs\" (id bigint PRIMARY KEY, \"Customer\" int, note text, code text,"
                        + " placed timestamptz, data bytea, doc jsonb)",
                "CREATE INDEX \"by Customer\" ON \"Ordérs\" (\"Customer\", placed)",
                "CREATE INDEX note_idx ON \"Ordérs\" (note)",
                "CREATE UNIQUE INDEX code_key ON \"Ordérs\" (code)",
                "ALTER TABLE \"Ordérs\" ADD CONSTRAINT c_unique UNIQUE (\"Customer\", code)",
                "CREATE INDEX data_idx ON \"Ordérs\" (data)",
                "CREATE INDEX doc_btree ON \"Ordérs\" (doc)",
                "CREATE INDEX lower_note ON \"Ordérs\" (lower(note))",
                "CREATE INDEX partial_idx ON \"Ordérs\" (placed) WHERE \"Customer\" > 0",
                "CREATE INDEX doc_gin ON \"Ordérs\" USING gin (doc)",
                "CREATE UNIQUE INDEX id_again ON \"Ordérs\" (id)",
                "INSERT INTO \"Ordérs\" SELECT i, i % 10, 'n' || i, 'c' || i, now(), '\\x00ff', '{\"a\": 1}'"
                        + " FROM generate_series(1, 3000) i");
    }

    private List<String> warned() {
        return warnings.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void mariaDbGetsThePlainIndexesWithPrefixesWhereInnoDbNeedsThem(TestDatabase source) throws Exception {
        load(source);
        try (Destination.MariaDb d = (Destination.MariaDb) Destination.mariadb()) {
            new SyncEngine(Destination.config(source, d).untilCaughtUp(true).build()).run();
            assertThat(d.rows("SELECT count(*) FROM " + d.qualified("Ordérs"))).containsExactly("3000");
            assertThat(d.rows("SELECT index_name, group_concat(concat(column_name, coalesce(concat('(', sub_part,"
                            + " ')'), '')) ORDER BY seq_in_index), min(non_unique) FROM information_schema.statistics"
                            + " WHERE table_schema = '" + d.database() + "' AND table_name = 'Ordérs'"
                            + " GROUP BY index_name"))
                    .containsExactlyInAnyOrder(
                            "by Customer|Customer,placed|1",
                            "c_unique|Customer,code(766)|1",
                            "code_key|code(768)|1",
                            "data_idx|data(3072)|1",
                            "note_idx|note(768)|1",
                            "PRIMARY|id|0");
            assertThat(warned())
                    .anyMatch(m -> m.contains("doc_btree") && m.contains("JSON"))
                    .anyMatch(m -> m.contains("lower_note") && m.contains("expression"))
                    .anyMatch(m -> m.contains("partial_idx") && m.contains("partial"))
                    .anyMatch(m -> m.contains("doc_gin") && m.contains("gin index"))
                    .noneMatch(m -> m.contains("id_again") || m.contains("could not be built"));
        }
    }

    /**
     * The chunked copy builds them before it records its end; a crash after they were built, before the end was
     * recorded, leaves the copy to end again on the next start, which skips the indexes that exist.
     */
    @Test
    void sqliteGetsThemAfterAChunkedCopyAndAResumedCopyEndsWithoutBuildingThemTwice(TestDatabase source)
            throws Exception {
        load(source);
        try (Destination d = Destination.sqlite()) {
            var config = Destination.config(source, d)
                    .copyMode(CopyMode.CHUNKED)
                    .chunkRows(1000)
                    .untilCaughtUp(true)
                    .build();
            new SyncEngine(config).run();
            String indexes = "SELECT l.name, (SELECT group_concat(name, ',') FROM (SELECT name FROM"
                    + " pragma_index_info(l.name) ORDER BY seqno)), l.\"unique\" FROM pragma_index_list('Ordérs') l"
                    + " WHERE l.origin = 'c' ORDER BY l.name";
            List<String> expected = List.of(
                    "Ordérs_by Customer|Customer,placed|0",
                    "Ordérs_c_unique|Customer,code|0",
                    "Ordérs_code_key|code|0",
                    "Ordérs_data_idx|data|0",
                    "Ordérs_doc_btree|doc|0",
                    "Ordérs_note_idx|note|0");
            assertThat(d.rows(indexes)).isEqualTo(expected);
            // What a crash between the indexes and the copy's end leaves: chunks all done, no position.
            d.execute("UPDATE " + d.qualified("pgferry_sync_progress") + " SET lsn = NULL, exact_from = NULL");
            warnings.list.clear();
            new SyncEngine(config).run();
            assertThat(d.rows(indexes)).isEqualTo(expected);
            assertThat(d.rows("SELECT count(*) FROM " + d.qualified("Ordérs"))).containsExactly("3000");
            assertThat(warned()).noneMatch(m -> m.contains("could not be built"));
        }
    }

    /**
     * A table added to a running sync gets its indexes after its own copy; the indexes of the tables already synced
     * are left as the user keeps them: one dropped at the destination is not built again.
     */
    @Test
    void anAddedTableGetsItsIndexesAndTheOthersAreLeftAsTheUserKeepsThem(TestDatabase source) throws Exception {
        load(source);
        try (Destination d = Destination.sqlite()) {
            var config = Destination.config(source, d).untilCaughtUp(true).build();
            new SyncEngine(config).run();
            d.execute("DROP INDEX \"Ordérs_note_idx\"");
            source.execute(
                    "CREATE TABLE later (id int PRIMARY KEY, v text)",
                    "CREATE INDEX later_v ON later (v)",
                    "INSERT INTO later VALUES (1, 'a'), (2, 'b')");
            new SyncEngine(config).run();
            assertThat(d.rows("SELECT count(*) FROM later")).containsExactly("2");
            assertThat(d.rows("SELECT name FROM sqlite_schema WHERE type = 'index' AND name LIKE '%\\_%' ESCAPE '\\'"
                            + " AND sql IS NOT NULL ORDER BY name"))
                    .containsExactly(
                            "Ordérs_by Customer",
                            "Ordérs_c_unique",
                            "Ordérs_code_key",
                            "Ordérs_data_idx",
                            "Ordérs_doc_btree",
                            "later_later_v");
        }
    }
}
