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
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The roles of docs/verify.md, "Grants", with exactly the rights listed there and no more: an installer that owns
 * the table, an application writer with no rights on syncguard, a worker and a verifier. Issue #6.
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
                st.execute("GRANT SELECT ON public.orders TO " + worker + ", " + verifier);
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

    private static Dsn as(TestDatabase db, String role, String password) {
        return Dsn.parse("postgresql://" + role + ":" + password + "@"
                + db.server().host() + ":" + db.server().port() + "/" + db.name());
    }
}
