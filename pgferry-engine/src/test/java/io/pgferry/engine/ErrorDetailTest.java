package io.pgferry.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.PostgresServer;
import io.pgferry.testkit.TestDatabase;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A change the target refuses stops the sync with the table named and no row value in the error, its causes or their
 * stack traces: by default pgjdbc copies the server's DETAIL into its exceptions ("Failing row contains (...)", "Key
 * (v)=(...) already exists"), and pgferry's errors carry the driver's message. The secret is built on the server, so
 * the test's own SQL never contains it.
 */
@PgTest
@Tag("stream")
class ErrorDetailTest {
    private static final String SECRET = "s3cr3t-row-value-42";
    private static final String SECRET_SQL = "('s3cr3t-row-' || 'value-' || (40 + 2)::text)";

    @Test
    void aChangeTheTargetRefusesIsReportedWithoutItsValues(TestDatabase source) throws Exception {
        source.execute("CREATE TABLE t (id int PRIMARY KEY, v text)", "INSERT INTO t VALUES (1, 'plain')");
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            new SyncEngine(SyncEngineTest.config(source, target)
                            .untilCaughtUp(true)
                            .build())
                    .run();
            target.execute("ALTER TABLE t ADD CONSTRAINT no_secrets CHECK (v NOT LIKE 's3cr3t%')");
            source.execute("INSERT INTO t VALUES (2, " + SECRET_SQL + ")");
            Throwable failure = catchThrowable(() -> new SyncEngine(SyncEngineTest.config(source, target)
                            .untilCaughtUp(true)
                            .build())
                    .run());
            assertThat(failure).isNotNull();
            StringWriter trace = new StringWriter();
            failure.printStackTrace(new PrintWriter(trace));
            assertThat(trace.toString()).contains("no_secrets").doesNotContain(SECRET);
        }
    }
}
