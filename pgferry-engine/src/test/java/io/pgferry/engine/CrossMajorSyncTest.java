package io.pgferry.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pgferry.core.PgFerryException;
import io.pgferry.engine.config.CopyMode;
import io.pgferry.engine.config.SyncConfig;
import io.pgferry.testkit.PostgresServer;
import io.pgferry.testkit.TestDatabase;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Syncs between two major versions, the way an upgrade (and a downgrade) uses them: the build's major and a second
 * one ({@link PostgresServer#otherMajor()}: 14 beside 17 and 18, 18 beside 14). Issue 5: every sync test ran source
 * and target on one major, so what a target of another major makes of the source's definitions was never tried; a
 * definition of a later major than the target's (an index {@code NULLS NOT DISTINCT} from PostgreSQL 15 on) failed
 * after the copy, with the slot made and every row copied.
 */
@Tag("stream")
class CrossMajorSyncTest {

    private static PostgresServer older() {
        PostgresServer a = PostgresServer.shared();
        PostgresServer b = PostgresServer.otherMajor();
        return a.majorVersion() < b.majorVersion() ? a : b;
    }

    private static PostgresServer newer() {
        PostgresServer a = PostgresServer.shared();
        PostgresServer b = PostgresServer.otherMajor();
        return a.majorVersion() < b.majorVersion() ? b : a;
    }

    private static SyncConfig.Builder config(TestDatabase source, TestDatabase target, CopyMode mode) {
        return SyncConfig.builder()
                .source(source.uri())
                .target(target.uri())
                .copyMode(mode)
                .workers(2)
                .chunkRows(700);
    }

    @Test
    void theSecondServerRunsAnotherMajor() {
        assertThat(PostgresServer.otherMajor().majorVersion())
                .isNotEqualTo(PostgresServer.shared().majorVersion());
    }

    @ParameterizedTest
    @EnumSource(
            value = CopyMode.class,
            names = {"SNAPSHOT", "CHUNKED"})
    void anUpgradeCopiesAndStreamsEveryKindOfTableAndChange(CopyMode mode) throws Exception {
        try (TestDatabase source = TestDatabase.create(older());
                TestDatabase target = TestDatabase.create(newer())) {
            source.execute(
                    "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')",
                    "CREATE DOMAIN posint AS integer CHECK (VALUE > 0)",
                    "CREATE TABLE parent (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL"
                            + " UNIQUE, m mood DEFAULT 'ok', n posint, amount numeric(38,10), f float8, tags text[],"
                            + " j jsonb, ts timestamptz DEFAULT now(), iv interval, b bytea, u uuid,"
                            + " total numeric GENERATED ALWAYS AS (amount * 2) STORED, r int4range)",
                    "CREATE INDEX parent_lower ON parent (lower(name)) WHERE n > 1",
                    "CREATE INDEX parent_j ON parent USING gin (j)",
                    "CREATE TABLE \"Order Lines\" (\"Id\" serial PRIMARY KEY,"
                            + " parent_id bigint REFERENCES parent(id) ON DELETE CASCADE,"
                            + " qty smallint CHECK (qty > 0), note varchar(20) COLLATE \"C\")",
                    "CREATE TABLE events (id int, at date NOT NULL, v text, PRIMARY KEY (id, at))"
                            + " PARTITION BY RANGE (at)",
                    "CREATE TABLE events_a PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')",
                    "CREATE TABLE events_b PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2030-01-01')",
                    "INSERT INTO parent (name, m, n, amount, f, tags, j, iv, b, u, r) SELECT 'n' || g,"
                            + " (ARRAY['sad','ok','happy'])[1 + g % 3]::mood, 1 + g % 5, g * 1.0000000001, g / 3.0,"
                            + " ARRAY['a', 'b' || g], jsonb_build_object('k', g), make_interval(secs => g),"
                            + " '\\x00ff', md5(g::text)::uuid, int4range(g, g + 10) FROM generate_series(1, 3000) g",
                    "INSERT INTO \"Order Lines\" (parent_id, qty, note) SELECT 1 + g % 3000, 1 + g % 100, 'x'"
                            + " FROM generate_series(1, 5000) g",
                    "INSERT INTO events SELECT g, DATE '2024-06-01' + (g % 400), 'v' FROM generate_series(1, 4000) g");
            // A chunked copy needs a key in every table; the snapshot copy takes a keyless one.
            boolean chunked = mode == CopyMode.CHUNKED;
            String keyless = chunked ? "keyed" : "keyless";
            source.execute(
                    "CREATE TABLE " + keyless + " (a int" + (chunked ? " PRIMARY KEY" : "") + ", b text)",
                    "ALTER TABLE " + keyless + " REPLICA IDENTITY " + (chunked ? "DEFAULT" : "FULL"),
                    "INSERT INTO " + keyless + " SELECT g, 'k' FROM generate_series(1, 500) g");
            try (SourceWriter writer = new SourceWriter(source, (st, i) -> {
                        st.execute("UPDATE parent SET amount = amount + 1, m = 'happy' WHERE id = " + (1 + i % 3000));
                        st.execute("INSERT INTO \"Order Lines\" (parent_id, qty) VALUES (" + (1 + i % 3000) + ", 1)");
                        st.execute("UPDATE events SET at = at + 1, v = 'moved' WHERE id = " + (1 + i % 4000));
                        st.execute("UPDATE " + keyless + " SET b = 'w' || " + i + " WHERE a = " + (1 + i % 500));
                    });
                    RunningSync sync = RunningSync.start(
                            new SyncEngine(config(source, target, mode).build()))) {
                sync.awaitStreaming();
                writer.stop();
                source.execute(
                        "DELETE FROM parent WHERE id <= 10",
                        "INSERT INTO " + keyless + " VALUES (501, 'k')",
                        "ALTER TABLE parent ADD COLUMN added text DEFAULT 'new'");
                source.execute("UPDATE parent SET added = 'x' || id WHERE id % 7 = 0");
                Databases.awaitSame(
                        source, target, Duration.ofSeconds(60), "parent", "\"Order Lines\"", "events", keyless);
            }
            // The definitions the target built from the older source are the source's, as each server prints them.
            String indexes = "SELECT indexname || ': ' || regexp_replace(indexdef, ' ON (ONLY )?', ' ON ') FROM"
                    + " pg_indexes WHERE schemaname = 'public' AND tablename IN ('parent', 'Order Lines') ORDER BY 1";
            assertThat(Databases.query(target, indexes)).isEqualTo(Databases.query(source, indexes));
            String checks = "SELECT conname || ': ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE contype IN"
                    + " ('c', 'f', 'u') AND conrelid IN ('parent'::regclass, '\"Order Lines\"'::regclass) ORDER BY 1";
            assertThat(Databases.query(target, checks)).isEqualTo(Databases.query(source, checks));
        }
    }

    @Test
    void aDowngradeRefusesAnIndexTheOlderTargetCannotBuildBeforeAnythingIsCreated() throws Exception {
        try (TestDatabase source = TestDatabase.create(newer());
                TestDatabase target = TestDatabase.create(older())) {
            // NULLS NOT DISTINCT came with PostgreSQL 15; the older major here is 14.
            assertThat(target.server().majorVersion()).isLessThan(15);
            source.execute(
                    "CREATE TABLE t (id int PRIMARY KEY, a int, b int)",
                    "CREATE UNIQUE INDEX t_ab ON t (a, b) NULLS NOT DISTINCT",
                    "INSERT INTO t SELECT g, g, NULL FROM generate_series(1, 100) g");
            String version = target.server().settingValue("server_version");
            assertThatThrownBy(() -> new SyncEngine(config(source, target, CopyMode.SNAPSHOT)
                                    .untilCaughtUp(true)
                                    .build())
                            .run())
                    .isInstanceOfSatisfying(PgFerryException.class, e -> {
                        assertThat(e.problem())
                                .startsWith("target table public.t cannot take index t_ab as the source defines it:"
                                        + " syntax error at or near \"NULLS\"")
                                .endsWith("the target runs PostgreSQL " + version);
                        assertThat(e.getMessage()).doesNotContain("\n");
                    });
            assertThat(source.queryLong("SELECT count(*) FROM pg_replication_slots"))
                    .isZero();
            assertThat(source.queryLong("SELECT count(*) FROM pg_publication")).isZero();
            assertThat(target.queryLong("SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace"))
                    .isZero();

            // Without it, the newer source's rows and changes reach the older target.
            source.execute("DROP INDEX t_ab");
            try (RunningSync sync = RunningSync.start(
                    new SyncEngine(config(source, target, CopyMode.SNAPSHOT).build()))) {
                sync.awaitStreaming();
                source.execute("UPDATE t SET b = id WHERE id % 2 = 0", "DELETE FROM t WHERE id > 90");
                Databases.awaitSame(source, target, Duration.ofSeconds(60), "t");
            }
        }
    }

    /**
     * Issue 5: a virtual generated column (PostgreSQL 18) was created stored at the target, whatever its major. It
     * stays virtual on a target that has them, and is stored on an older one, with the same values.
     */
    @Test
    void aVirtualGeneratedColumnStaysVirtualWhereTheTargetHasThem() throws Exception {
        assumeTrue(newer().majorVersion() >= 18, "virtual generated columns came with PostgreSQL 18");
        try (TestDatabase source = TestDatabase.create(newer());
                TestDatabase same = TestDatabase.create(newer());
                TestDatabase old = TestDatabase.create(older())) {
            source.execute(
                    "CREATE TABLE t (id int PRIMARY KEY, a int, v int GENERATED ALWAYS AS (a * 2) VIRTUAL,"
                            + " s int GENERATED ALWAYS AS (a + 1) STORED)",
                    "INSERT INTO t (id, a) SELECT g, g FROM generate_series(1, 50) g");
            String kinds =
                    "SELECT attname || ' ' || attgenerated::text FROM pg_attribute WHERE attrelid = 't'::regclass"
                            + " AND attgenerated <> '' ORDER BY 1";
            for (TestDatabase target : List.of(same, old)) {
                try (RunningSync sync = RunningSync.start(new SyncEngine(config(source, target, CopyMode.SNAPSHOT)
                        .slot("virtual_" + target.server().majorVersion())
                        .build()))) {
                    sync.awaitStreaming();
                    source.execute("UPDATE t SET a = a + 100 WHERE id <= 10");
                    Databases.awaitSame(source, target, Duration.ofSeconds(60), "t");
                }
            }
            assertThat(Databases.query(same, kinds)).containsExactly("s s", "v v");
            assertThat(Databases.query(old, kinds)).containsExactly("s s", "v s");
        }
    }
}
