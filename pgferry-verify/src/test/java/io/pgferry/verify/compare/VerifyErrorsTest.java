package io.pgferry.verify.compare;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgferry.core.PgFerryException;
import io.pgferry.postgres.connect.Dsn;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.PostgresServer;
import io.pgferry.testkit.TestDatabase;
import io.pgferry.verify.guard.GuardSchema;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Regression test for issue 6's audit: every SQL failure of a verify was reported with the subscriber's host and
 * database, so a publisher's error sent the reader to the wrong server. Each side's failure names its own.
 */
@PgTest
@Tag("verify")
class VerifyErrorsTest {

    @Test
    void aFailureOnThePublisherNamesThePublisher(TestDatabase pub) throws Exception {
        try (TestDatabase sub = TestDatabase.create(PostgresServer.second())) {
            for (TestDatabase db : List.of(pub, sub)) {
                try (Connection c = db.connect()) {
                    GuardSchema.install(c);
                }
            }
            // A catalog damaged on the publisher only: the version check passes, the first catalog read fails.
            pub.execute("DROP TABLE syncguard.sweep_state CASCADE");
            Dsn p = Dsn.parse(pub.uri());
            Dsn s = Dsn.parse(sub.uri());
            assertThatThrownBy(() -> Verifier.run(VerifyOptions.defaults(p, s)))
                    .isInstanceOf(PgFerryException.class)
                    .hasMessageContaining("42P01")
                    .hasMessageContaining("on the publisher (" + p.endpoints() + "/" + p.dbname() + ")")
                    .hasMessageNotContaining("subscriber");
        }
    }
}
