package io.pgferry.verify.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgferry.core.PgFerryException;
import io.pgferry.postgres.connect.Dsn;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.Rows;
import io.pgferry.testkit.TestDatabase;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Install, upgrade and uninstall of the syncguard schema on a real server. Issue #6. */
@PgTest
@Tag("verify")
class GuardSchemaTest {

    @Test
    void installsOnceAndUninstallsWithTheTriggers(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY, v text)");
        try (Connection c = db.connect()) {
            assertThat(GuardSchema.installedVersion(c)).isEmpty();
            assertThat(GuardSchema.install(c)).isTrue();
            assertThat(GuardSchema.installedVersion(c)).hasValue(GuardSchema.CURRENT_VERSION);
            // Installing again is a no-op (a deploy script runs it every time); it was an error whose fix was
            // "nothing to do", exit 3.
            assertThat(GuardSchema.install(c)).isFalse();
            Registrations.register(c, "public", "t", null, null);
        }
        assertThat(db.queryLong("SELECT count(*) FROM pg_trigger WHERE tgrelid = 't'::regclass AND NOT tgisinternal"))
                .isEqualTo(5);
        try (Connection c = db.connect()) {
            assertThat(GuardSchema.uninstall(c)).isTrue();
            assertThat(GuardSchema.uninstall(c)).isFalse();
        }
        assertThat(db.queryLong("SELECT count(*) FROM pg_trigger WHERE tgrelid = 't'::regclass AND NOT tgisinternal"))
                .isZero();
        assertThat(db.queryLong("SELECT count(*) FROM pg_namespace WHERE nspname = 'syncguard'"))
                .isZero();
        // The table is writable again without the schema.
        db.execute("INSERT INTO t VALUES (1, 'x')");
    }

    @Test
    void upgradeRunsTheMissingMigrationsInPlace(TestDatabase db) throws Exception {
        try (Connection c = db.connect()) {
            GuardSchema.install(c, 0);
            assertThat(GuardSchema.installedVersion(c)).hasValue(0);
            assertThat(GuardSchema.upgrade(c)).isZero();
            assertThat(GuardSchema.installedVersion(c)).hasValue(GuardSchema.CURRENT_VERSION);
            assertThat(GuardSchema.upgrade(c)).isEqualTo(GuardSchema.CURRENT_VERSION);
        }
        assertThat(db.queryLong("SELECT count(*) FROM syncguard.guard_version")).isEqualTo(1);
        assertThat(db.queryString("SELECT upgraded_at IS NOT NULL FROM syncguard.guard_version"))
                .isEqualTo("t");
    }

    /**
     * Version 2 changed how row hashes add up (issue #6: values swapped between rows went unseen), version 3 how a
     * row's hash is computed (issue #6: the sweep's speed). A catalog of an older version is neither read nor extended
     * by this build: the worker refuses it until the upgrade, which forgets every sweep, so that the worker sweeps the
     * table again with the new hash.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void aCatalogOfAnOlderVersionIsSweptAgainAfterTheUpgrade(int version, TestDatabase db) throws Exception {
        db.execute(
                "CREATE TABLE t (id int PRIMARY KEY, v text)",
                "INSERT INTO t SELECT i, 'v' FROM generate_series(1, 10) i");
        Dsn dsn = Dsn.parse(db.uri());
        try (Connection c = db.connect()) {
            GuardSchema.install(c);
            Registrations.register(c, "public", "t", null, null);
        }
        GuardWorker.drain(List.of(dsn));
        // As an install of that version that an older pgferry swept would look.
        db.execute(
                "UPDATE syncguard.guard_version SET version = " + version,
                "UPDATE syncguard.sweep_state SET swept_at = '2000-01-01'");
        assertThatThrownBy(() -> GuardWorker.drain(List.of(dsn)))
                .isInstanceOf(PgFerryException.class)
                .hasMessageContaining("syncguard version " + version)
                .hasMessageContaining("older than this pgferry's (" + GuardSchema.CURRENT_VERSION + ")");
        try (Connection c = db.connect()) {
            assertThat(GuardSchema.upgrade(c)).isEqualTo(version);
        }
        assertThat(db.queryLong("SELECT count(*) FROM syncguard.sweep_state")).isZero();
        GuardWorker.drain(List.of(dsn));
        assertThat(db.queryString("SELECT swept_at > '2000-01-01' FROM syncguard.sweep_state"))
                .isEqualTo("t");
    }

    /**
     * Issue 6: an upgrade was tested on a current install whose version number was set back, not on what an older
     * release installed. Here each older version is installed by its own migrations, a table registered through its
     * own {@code register_table} and written to under its triggers; after the upgrade the table is still registered,
     * its triggers track changes, and the worker's catalog is the one a fresh install computes for the same rows.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void aRealOlderInstallWithATableIsUpgradedInPlace(int version, TestDatabase db) throws Exception {
        db.execute(
                "CREATE TABLE t (id int PRIMARY KEY, v text)",
                "INSERT INTO t SELECT i, 'v' || i FROM generate_series(1, 3000) i");
        Dsn dsn = Dsn.parse(db.uri());
        try (Connection c = db.connect()) {
            GuardSchema.install(c, version);
        }
        db.execute(
                "SELECT syncguard.register_table('public', 't', 100)",
                "UPDATE t SET v = 'old ' || id WHERE id % 50 = 0",
                "DELETE FROM t WHERE id > 2990");
        try (Connection c = db.connect()) {
            assertThat(GuardSchema.upgrade(c)).isEqualTo(version);
            assertThat(GuardSchema.installedVersion(c)).hasValue(GuardSchema.CURRENT_VERSION);
        }
        assertThat(db.queryLong("SELECT count(*) FROM syncguard.monitored_tables"))
                .isEqualTo(1);
        GuardWorker.drain(List.of(dsn));
        db.execute("UPDATE t SET v = 'new' WHERE id = 7");
        assertThat(db.queryLong("SELECT count(*) FROM syncguard.dirty_buckets")).isPositive();
        GuardWorker.drain(List.of(dsn));
        String catalog = "SELECT bucket_id, row_count, bucket_hash FROM syncguard.bucket_catalog ORDER BY 1";
        List<String> upgraded;
        try (Connection c = db.connect()) {
            upgraded = Rows.of(c, catalog);
        }

        try (Connection c = db.connect()) {
            GuardSchema.uninstall(c);
            GuardSchema.install(c);
            Registrations.register(c, "public", "t", 100L, null);
        }
        GuardWorker.drain(List.of(dsn));
        try (Connection c = db.connect()) {
            assertThat(upgraded).hasSize(30).isEqualTo(Rows.of(c, catalog));
        }
    }

    @Test
    void aForeignSyncguardSchemaIsLeftAlone(TestDatabase db) throws Exception {
        db.execute("CREATE SCHEMA syncguard", "CREATE TABLE syncguard.bucket_catalog (x int)");
        try (Connection c = db.connect()) {
            assertThatThrownBy(() -> GuardSchema.install(c))
                    .isInstanceOf(PgFerryException.class)
                    .hasMessageContaining("not installed by pgferry")
                    .hasMessageContaining("bucket_catalog");
        }
        assertThat(db.queryLong("SELECT count(*) FROM pg_tables WHERE schemaname = 'syncguard'"))
                .isEqualTo(1);
    }
}
