package io.pgferry.verify.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgferry.postgres.connect.Connections;
import io.pgferry.postgres.connect.Dsn;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import io.pgferry.verify.compare.ConsistencyMode;
import io.pgferry.verify.compare.Verifier;
import io.pgferry.verify.compare.VerifyOptions;
import io.pgferry.verify.compare.VerifyReport;
import io.pgferry.verify.diff.DiffOptions;
import io.pgferry.verify.diff.DiffReport;
import io.pgferry.verify.diff.Differ;
import io.pgferry.verify.inspect.BucketInspector;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The roles of docs/verify.md, "Grants", with exactly the rights listed there and no more: an installer that owns
 * the table, an application writer with no rights on syncguard, a worker, a verifier, a repairer and a diff user.
 * Issue #6.
 */
@PgTest
@Tag("verify")
class GrantsTest {

    @Test
    void eachRoleWorksWithTheDocumentedGrants(TestDatabase db) throws Exception {
        String installer = db.createRole("sg_installer", "pw-i", "LOGIN");
        String app = db.createRole("sg_app", "pw-a", "LOGIN");
        String worker = db.createRole("sg_worker", "pw-w", "LOGIN");
        String verifier = db.createRole("sg_verifier", "pw-v", "LOGIN");
        db.execute(
                "CREATE TABLE orders (id bigint PRIMARY KEY, v text)",
                "INSERT INTO orders SELECT i, 'v' FROM generate_series(1, 3000) i",
                "ALTER TABLE orders OWNER TO " + installer,
                "GRANT CREATE ON DATABASE " + db.name() + " TO " + installer,
                "GRANT SELECT, INSERT, UPDATE, DELETE ON orders TO " + app);

        try (Connection c = Connections.open(as(db, installer, "pw-i"))) {
            GuardSchema.install(c);
            Registrations.register(c, "public", "orders", null, null);
            try (Statement st = c.createStatement()) {
                // The statements of docs/verify.md, "Grants", run by the installer, who owns what it created.
                st.execute("GRANT USAGE ON SCHEMA syncguard TO " + worker + ", " + verifier);
                st.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON syncguard.bucket_catalog, syncguard.dirty_buckets,"
                        + " syncguard.sweep_state, syncguard.worker_state TO " + worker);
                st.execute("GRANT SELECT, UPDATE ON syncguard.monitored_tables TO " + worker);
                st.execute("GRANT SELECT ON syncguard.guard_version TO " + worker);
                // The verifier reads no table of the application (only with live fallback, not used here).
                st.execute("GRANT SELECT ON public.orders TO " + worker);
                st.execute("GRANT SELECT ON ALL TABLES IN SCHEMA syncguard TO " + verifier);
            }
        }
        // The application needs nothing on syncguard: the trigger functions run as their owner.
        try (Connection c = Connections.open(as(db, app, "pw-a"));
                Statement st = c.createStatement()) {
            st.execute("UPDATE orders SET v = 'w' WHERE id = 7");
            st.execute("INSERT INTO orders VALUES (5000, 'x')");
            assertThatThrownBy(() -> st.executeQuery("SELECT * FROM syncguard.dirty_buckets"))
                    .hasMessageContaining("permission denied");
        }
        assertThat(GuardWorker.drain(List.of(as(db, worker, "pw-w"))).tablesSwept())
                .isEqualTo(1);
        db.execute("DELETE FROM orders WHERE id = 8");
        assertThat(GuardWorker.drain(List.of(as(db, worker, "pw-w"))).bucketsRecomputed())
                .isEqualTo(1);

        Dsn v = as(db, verifier, "pw-v");
        VerifyReport r = Verifier.run(VerifyOptions.defaults(v, v)
                .withMode(ConsistencyMode.STABLE_WATERMARK)
                .withStability(Duration.ofMillis(1), 1));
        assertThat(r.outcome()).isEqualTo(VerifyReport.Outcome.IN_SYNC);
        assertThat(r.tables().get(0).compared()).isEqualTo(5); // keys 1..999, 1000.., 2000.., 3000 and 5000
        assertThat(r.coveragePct()).isEqualTo(100.0);
    }

    @Test
    void theRepairerAndTheDiffUserWorkWithTheDocumentedGrants(TestDatabase pub) throws Exception {
        try (TestDatabase sub = TestDatabase.create(pub.server())) {
            String installer = pub.createRole("sg_r_installer", "pw-i", "LOGIN");
            String repairer = pub.createRole("sg_repairer", "pw-r", "LOGIN");
            String differ = pub.createRole("sg_differ", "pw-d", "LOGIN");
            for (TestDatabase db : List.of(pub, sub)) {
                db.execute(
                        "CREATE TABLE orders (id bigint PRIMARY KEY, v text)",
                        "INSERT INTO orders SELECT i, 'v' FROM generate_series(1, 3000) i",
                        "ALTER TABLE orders OWNER TO " + installer,
                        "GRANT CREATE ON DATABASE " + db.name() + " TO " + installer);
                try (Connection c = Connections.open(as(db, installer, "pw-i"));
                        Statement st = c.createStatement()) {
                    GuardSchema.install(c);
                    Registrations.register(c, "public", "orders", null, null);
                    // docs/verify.md, "Grants": the repairer's and the diff user's rights on both sides.
                    st.execute("GRANT USAGE ON SCHEMA syncguard TO " + repairer);
                    st.execute("GRANT SELECT ON syncguard.guard_version, syncguard.monitored_tables TO " + repairer);
                    st.execute("GRANT SELECT ON public.orders TO " + repairer + ", " + differ);
                    if (db == sub) {
                        st.execute("GRANT INSERT, UPDATE, DELETE ON public.orders TO " + repairer);
                    }
                }
            }
            sub.execute("UPDATE orders SET v = 'changed' WHERE id = 1500", "DELETE FROM orders WHERE id = 2500");
            Dsn p = as(pub, repairer, "pw-r");
            Dsn s = as(sub, repairer, "pw-r");
            assertThat(BucketInspector.inspect(p, s, "public", "orders", 1).rows())
                    .extracting(d -> d.key().get("id") + ":" + d.kind().wireName())
                    .containsExactly("1500:changed");
            for (long bucket : List.of(1L, 2L)) {
                assertThat(BucketInspector.repair(p, s, "public", "orders", bucket, false)
                                .applied())
                        .isTrue();
            }
            assertThat(sub.queryString("SELECT v FROM orders WHERE id = 1500")).isEqualTo("v");
            assertThat(sub.queryLong("SELECT count(*) FROM orders")).isEqualTo(3000);

            sub.execute("DELETE FROM orders WHERE id = 17");
            DiffReport diff = Differ.run(DiffOptions.defaults(as(pub, differ, "pw-d"), as(sub, differ, "pw-d")));
            assertThat(diff.differences()).isEqualTo(1);
        }
    }

    private static Dsn as(TestDatabase db, String role, String password) {
        return Dsn.parse("postgresql://" + role + ":" + password + "@"
                + db.server().host() + ":" + db.server().port() + "/" + db.name());
    }
}
