package io.pgferry.engine;

import static io.pgferry.engine.KafkaSyncTest.awaitRecords;
import static io.pgferry.engine.KafkaSyncTest.config;
import static io.pgferry.engine.KafkaSyncTest.prefix;
import static io.pgferry.engine.KafkaSyncTest.records;
import static io.pgferry.engine.KafkaSyncTest.target;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgferry.core.sink.TableState;
import io.pgferry.engine.config.SyncConfig;
import io.pgferry.kafka.KafkaTableStates;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Which tables a sync into a real KRaft broker streams (issues 5 and 7): those its patterns match, whatever its
 * publication publishes; a table that joins them is sent with its rows, one that leaves them keeps its records.
 */
@PgTest
@Tag("stream")
@Tag("kafka")
class KafkaSyncTablesTest {
    /**
     * Issue 7: with a publication of the user's that publishes every table, a table that widened patterns took in was
     * streamed from the sync's position without the rows it held: a consumer never saw them, and saw changes of rows
     * it had never been sent. It is now added as a SQL destination adds it: its rows sent as read records from a
     * snapshot of its own, its changes from that snapshot on, once.
     */
    @Test
    void aTableWidenedPatternsTakeInIsSentWithItsRows(TestDatabase source) throws Exception {
        source.execute(
                "CREATE TABLE t (id int PRIMARY KEY, v text)",
                "CREATE TABLE w (id int PRIMARY KEY, v text)",
                "INSERT INTO t VALUES (1, 'a')",
                "INSERT INTO w VALUES (1, 'old'), (2, 'old')",
                "CREATE PUBLICATION every FOR ALL TABLES");
        String prefix = prefix();
        SyncConfig.Builder narrow = config(source, prefix).include("public.t").publication("every");
        new SyncEngine(narrow.build()).run();
        // Made after the sync's position and before the addition's snapshot: in the copy, so not sent again.
        source.execute("UPDATE w SET v = 'older' WHERE id = 2");
        SyncConfig.Builder wide =
                config(source, prefix).include("public.t", "public.w").publication("every");
        new SyncEngine(wide.build()).run();
        source.execute("UPDATE w SET v = 'new' WHERE id = 1", "UPDATE t SET v = 'b'");
        new SyncEngine(wide.build()).run();
        assertThat(records(prefix + ".public.w")).containsExactly("r 1 old", "r 2 older", "u 1 new");
        assertThat(records(prefix + ".public.t")).containsExactly("r 1 a", "u 1 b");
        assertThat(SyncStatus.read(target(prefix), null, false)).singleElement().satisfies(r -> assertThat(r.tables())
                .extracting(st -> st.sourceTable() + " " + st.state().label() + " " + st.rowsCopied())
                .containsExactly("public.t streaming 1", "public.w streaming 2"));
    }

    /**
     * Issue 7: a table created at the source while the sync was stopped, with rows, was left out of a sync on its own
     * publication (which did not publish it) although its patterns matched it. It is added, its rows sent once.
     */
    @Test
    void aTableCreatedWhileTheSyncWasStoppedIsAdded(TestDatabase source) throws Exception {
        source.execute("CREATE TABLE t (id int PRIMARY KEY, v text)", "INSERT INTO t VALUES (1, 'a')");
        String prefix = prefix();
        new SyncEngine(config(source, prefix).build()).run();
        source.execute("CREATE TABLE n (id int PRIMARY KEY, v text)", "INSERT INTO n VALUES (1, 'x')");
        new SyncEngine(config(source, prefix).build()).run();
        source.execute("INSERT INTO n VALUES (2, 'y')");
        new SyncEngine(config(source, prefix).build()).run();
        assertThat(records(prefix + ".public.n")).containsExactly("r 1 x", "c 2 y");
    }

    /**
     * Regression (issue 5): a table taken by hand out of the publication pgferry created for the sync while it was
     * stopped had its changes meanwhile left out for good once added back. The start sends its rows again as read
     * records, then its changes.
     */
    @Test
    void aTableTakenOutOfTheSyncsPublicationByHandIsSentAgainWithItsRows(TestDatabase source) throws Exception {
        source.execute("CREATE TABLE t (id int PRIMARY KEY, v text)", "INSERT INTO t VALUES (1, 'a'), (2, 'b')");
        String prefix = prefix();
        new SyncEngine(config(source, prefix).build()).run();
        source.execute("ALTER PUBLICATION pgferry_sync DROP TABLE t", "UPDATE t SET v = 'unpublished' WHERE id = 2");
        new SyncEngine(config(source, prefix).build()).run();
        source.execute("UPDATE t SET v = 'c' WHERE id = 1");
        new SyncEngine(config(source, prefix).build()).run();
        assertThat(records(prefix + ".public.t"))
                .containsExactly("r 1 a", "r 2 b", "r 1 a", "r 2 unpublished", "u 1 c");
    }

    /**
     * Regression (issue 7): the same, taken out while the sync ran, stayed behind until the sync was started again. The
     * running sync starts again by itself and sends the table's rows again as read records, then its changes.
     */
    @Test
    void aTableTakenOutOfTheSyncsPublicationWhileItRunsIsSentAgainWithItsRows(TestDatabase source) throws Exception {
        source.execute("CREATE TABLE t (id int PRIMARY KEY, v text)", "INSERT INTO t VALUES (1, 'a'), (2, 'b')");
        String prefix = prefix();
        try (RunningSync running = RunningSync.start(
                new SyncEngine(config(source, prefix).untilCaughtUp(false).build()))) {
            awaitRecords(prefix + ".public.t", 2);
            source.execute(
                    "ALTER PUBLICATION pgferry_sync DROP TABLE t", "UPDATE t SET v = 'unpublished' WHERE id = 2");
            awaitRecords(prefix + ".public.t", 4);
            source.execute("UPDATE t SET v = 'c' WHERE id = 1");
            awaitRecords(prefix + ".public.t", 5);
            running.assertRunning();
        }
        assertThat(records(prefix + ".public.t"))
                .containsExactly("r 1 a", "r 2 b", "r 1 a", "r 2 unpublished", "u 1 c");
    }

    /**
     * An addition cut short (a crash between its record and the end of its copy) leaves the table's record with
     * {@code apply_from} unfinished: the next start sends its rows again rather than stream it without them.
     */
    @Test
    void anAdditionCutShortIsMadeAgain(TestDatabase source) throws Exception {
        source.execute("CREATE TABLE t (id int PRIMARY KEY, v text)", "INSERT INTO t VALUES (1, 'a')");
        String prefix = prefix();
        new SyncEngine(config(source, prefix).build()).run();
        source.execute("CREATE TABLE n (id int PRIMARY KEY, v text)", "INSERT INTO n VALUES (1, 'x')");
        try (KafkaTableStates states = new KafkaTableStates(target(prefix))) {
            // What an addition records before its first read record.
            states.saveApplyFrom("public", "n", "public.n", TableState.INIT, KafkaTableStates.UNFINISHED);
        }
        new SyncEngine(config(source, prefix).build()).run();
        assertThat(records(prefix + ".public.n")).containsExactly("r 1 x");
        assertThat(KafkaTableStates.readAll(target(prefix), "pgferry_sync").get("pgferry_sync"))
                .filteredOn(st -> st.table().equals("public.n"))
                .singleElement()
                .satisfies(st -> assertThat(st.applyFrom()).isGreaterThan(KafkaTableStates.UNFINISHED));
    }

    /**
     * Issue 5: with a publication of the user's that publishes every table, the changes of a table the sync's patterns
     * exclude went to Kafka, in a topic of their own.
     */
    @Test
    void aTableThePatternsExcludeStaysOutOfKafkaWhateverThePublicationPublishes(TestDatabase source) throws Exception {
        source.execute(
                "CREATE TABLE t (id int PRIMARY KEY, v text)",
                "CREATE TABLE secret (id int PRIMARY KEY, v text)",
                "INSERT INTO t VALUES (1, 'a')",
                "CREATE PUBLICATION every FOR ALL TABLES");
        String prefix = prefix();
        SyncConfig.Builder config =
                config(source, prefix).exclude(List.of("public.secret")).publication("every");
        new SyncEngine(config.build()).run();
        source.execute("INSERT INTO secret VALUES (1, 'hidden')", "UPDATE t SET v = 'b'");
        new SyncEngine(config.build()).run();
        assertThat(records(prefix + ".public.t")).containsExactly("r 1 a", "u 1 b");
        assertThat(records(prefix + ".public.secret")).isEmpty();

        // A table created while the sync runs that its patterns match is taken from its first row; one they exclude
        // is not.
        try (RunningSync running =
                RunningSync.start(new SyncEngine(config.untilCaughtUp(false).build()))) {
            source.execute("UPDATE t SET v = 'c'");
            awaitRecords(prefix + ".public.t", 3);
            source.execute(
                    "CREATE TABLE later (id int PRIMARY KEY, v text)",
                    "INSERT INTO later VALUES (1, 'first')",
                    "INSERT INTO secret VALUES (2, 'hidden')",
                    "UPDATE later SET v = 'second'");
            awaitRecords(prefix + ".public.later", 2);
            running.assertRunning();
        }
        assertThat(records(prefix + ".public.later")).containsExactly("c 1 first", "u 1 second");
        assertThat(records(prefix + ".public.secret")).isEmpty();
        // Recorded as the sync's when it was taken: the next start streams it on rather than add it, copied, again.
        source.execute("UPDATE later SET v = 'third'");
        new SyncEngine(config.untilCaughtUp(true).build()).run();
        assertThat(records(prefix + ".public.later")).containsExactly("c 1 first", "u 1 second", "u 1 third");
    }

    /**
     * Issue 5: the stored position's identity covered the tables the sync streamed at each start, so a table dropped
     * at the source, or left out by narrower patterns, made the next start refuse the sync's own position.
     */
    @Test
    void aTableDroppedOrNoLongerMatchedLeavesTheSyncItsPosition(TestDatabase source) throws Exception {
        source.execute(
                "CREATE TABLE t (id int PRIMARY KEY, v text)",
                "CREATE TABLE u (id int PRIMARY KEY, v text)",
                "CREATE TABLE w (id int PRIMARY KEY, v text)",
                "INSERT INTO t VALUES (1, 'a')");
        String prefix = prefix();
        new SyncEngine(config(source, prefix).build()).run();
        source.execute("DROP TABLE u", "UPDATE t SET v = 'b'");
        new SyncEngine(config(source, prefix).build()).run();
        source.execute("UPDATE t SET v = 'c'", "INSERT INTO w VALUES (1, 'left out')");
        // A mistyped pattern beside the one that narrows is refused before anything is recorded.
        assertThatThrownBy(() -> new SyncEngine(config(source, prefix)
                                .include("public.t", "public.ww")
                                .build())
                        .run())
                .hasMessageContaining("table pattern public.ww of sync pgferry_sync matches no table of the source");
        new SyncEngine(config(source, prefix).include("public.t").build()).run();
        source.execute("UPDATE t SET v = 'd'");
        new SyncEngine(config(source, prefix).include("public.t").build()).run();
        assertThat(records(prefix + ".public.t")).containsExactly("r 1 a", "u 1 b", "u 1 c", "u 1 d");
        assertThat(records(prefix + ".public.w")).isEmpty();
        assertThat(SyncStatus.read(target(prefix), null, false)).singleElement().satisfies(r -> assertThat(r.tables())
                .extracting(st -> st.sourceTable() + " " + st.state().label())
                .containsExactly("public.t streaming", "public.u removed", "public.w removed"));

        // Matched again, the table that left the sync is added again, its rows sent afresh: it missed a change.
        new SyncEngine(config(source, prefix).build()).run();
        assertThat(records(prefix + ".public.w")).containsExactly("r 1 left out");
        assertThat(SyncStatus.read(target(prefix), null, false)).singleElement().satisfies(r -> assertThat(r.tables())
                .extracting(st -> st.sourceTable() + " " + st.state().label())
                .containsExactly("public.t streaming", "public.u removed", "public.w streaming"));
    }

    /**
     * Issue 7: a table renamed into the sync's patterns while the sync ran (here out of an exclusion) was taken as a
     * table created while it ran, streamed from its next change without the rows it held: a consumer saw a change of a
     * row it had never been sent. Its changes are now left out, and the next start adds it with its rows.
     */
    @Test
    void aTableRenamedIntoThePatternsWhileStreamingIsAddedWithItsRowsAtTheNextStart(TestDatabase source)
            throws Exception {
        source.execute(
                "CREATE TABLE t (id int PRIMARY KEY, v text)",
                "CREATE TABLE tmp_x (id int PRIMARY KEY, v text)",
                "INSERT INTO t VALUES (1, 'a')",
                "INSERT INTO tmp_x VALUES (1, 'held'), (2, 'held')",
                "CREATE PUBLICATION every FOR ALL TABLES");
        String prefix = prefix();
        SyncConfig.Builder config =
                config(source, prefix).exclude(List.of("public.tmp_*")).publication("every");
        new SyncEngine(config.build()).run();
        try (RunningSync running =
                RunningSync.start(new SyncEngine(config.untilCaughtUp(false).build()))) {
            source.execute("UPDATE t SET v = 'b'");
            awaitRecords(prefix + ".public.t", 2); // streaming: its tables were read
            source.execute(
                    "ALTER TABLE tmp_x RENAME TO x",
                    "UPDATE x SET v = 'changed' WHERE id = 2",
                    "CREATE TABLE born (id int PRIMARY KEY, v text)",
                    "INSERT INTO born VALUES (1, 'new')",
                    "UPDATE t SET v = 'c'");
            awaitRecords(prefix + ".public.t", 3);
            awaitRecords(prefix + ".public.born", 1);
            running.assertRunning();
        }
        assertThat(records(prefix + ".public.x")).isEmpty();
        assertThat(records(prefix + ".public.born")).containsExactly("c 1 new");

        new SyncEngine(config.untilCaughtUp(true).build()).run();
        assertThat(records(prefix + ".public.x")).containsExactly("r 1 held", "r 2 changed");
        assertThat(records(prefix + ".public.born")).containsExactly("c 1 new");
        assertThat(SyncStatus.read(target(prefix), null, false)).singleElement().satisfies(r -> assertThat(r.tables())
                .extracting(st -> st.sourceTable() + " " + st.state().label())
                .containsExactly("public.born streaming", "public.t streaming", "public.x streaming"));
    }
}
