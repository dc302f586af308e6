package io.pgferry.engine.copy;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * A copy's index build may use as many of PostgreSQL's parallel workers as the copy has idle workers, never more than
 * the session's default allows. Regression (issue 5): every build took the server's parallel workers while the copy's
 * other workers kept the cores busy, for 17 to 21 % more target CPU on 2 cores (docs/benchmarks.md).
 */
@PgTest
class IndexParallelismTest {

    @Test
    void aBuildGetsTheIdleWorkersUpToTheSessionsDefault(TestDatabase db) throws Exception {
        IndexParallelism p = new IndexParallelism(4);
        try (Connection c = db.connect();
                Statement st = c.createStatement()) {
            for (int i = 0; i < 4; i++) {
                p.started();
            }
            p.apply(st);
            assertThat(setting(st)).as("every worker busy").isZero();
            p.ended();
            p.apply(st);
            assertThat(setting(st)).as("one idle").isEqualTo(1);
            p.ended();
            p.ended();
            p.apply(st);
            assertThat(setting(st)).as("three idle, the server's default of 2").isEqualTo(2);
        }
        db.execute("ALTER DATABASE \"" + db.name() + "\" SET max_parallel_maintenance_workers = 1");
        try (Connection c = db.connect();
                Statement st = c.createStatement()) {
            p.apply(st);
            assertThat(setting(st))
                    .as("three idle, the database's setting of 1")
                    .isEqualTo(1);
        }
    }

    private static int setting(Statement st) throws SQLException {
        try (ResultSet rs = st.executeQuery("SELECT current_setting('max_parallel_maintenance_workers')::int")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
