package io.pgferry.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgferry.core.PgFerryException;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Bad input fails {@link ChangeStream#start()} with a message that names the problem, and leaves nothing behind. */
@PgTest
@Tag("stream")
class ChangeStreamBadInputTest {

    private static StreamConfig.Builder config(TestDatabase db) {
        return StreamConfig.builder().source(db.uri()).publication("p").slot("s");
    }

    private static String uri(TestDatabase db, String user, String password) {
        return "postgresql://" + user + ":" + password + "@" + db.server().host() + ":"
                + db.server().port() + "/" + db.name();
    }

    /** Starts a stream that must fail; returns the assertion on its error. */
    private static AbstractThrowableAssert<?, ? extends Throwable> startFails(StreamConfig config) {
        ChangeStream stream = ChangeStream.create(config, new Collector());
        return assertThatThrownBy(stream::start).isInstanceOf(PgFerryException.class);
    }

    private static void assertNothingCreated(TestDatabase db) throws Exception {
        assertThat(ServerProbe.slots(db)).as("replication slots").isZero();
        assertThat(ServerProbe.publications(db)).as("publications").isZero();
    }

    @Test
    void unknownPublicationIsNamed(TestDatabase db) throws Exception {
        startFails(config(db).publication("no_such_pub").build())
                .hasMessageContaining("publication no_such_pub does not exist");
        assertNothingCreated(db);
    }

    @Test
    void unknownTableIsNamed(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY)");
        startFails(config(db).tables("public.t", "public.nope").build())
                .hasMessageContaining("table public.nope does not exist");
        assertNothingCreated(db);
    }

    @Test
    void badSlotNameFailsTheBuildNamingTheField(TestDatabase db) {
        assertThatThrownBy(() -> config(db).slot("Bad-Slot").tables("public.t").build())
                .isInstanceOf(PgFerryException.class)
                .hasMessageContaining("(slot)")
                .hasMessageContaining("Bad-Slot");
        assertThatThrownBy(() -> config(db).slot("").build())
                .isInstanceOf(PgFerryException.class)
                .hasMessageContaining("(slot)");
    }

    @Test
    void slotInUseNamesTheProcess(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY)");
        try (ChangeStream first =
                ChangeStream.create(config(db).tables("public.t").build(), new Collector())) {
            first.start();
            // start() returns once streaming has begun, but the slot may show its walsender a moment later: wait
            // for it rather than read it once (the faster polling of the test kit read it as null on PostgreSQL 14).
            String active = "SELECT active_pid::text FROM pg_replication_slots WHERE slot_name = 's'";
            long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
            String pid = db.queryString(active);
            while (pid == null && System.nanoTime() < deadline) {
                Thread.sleep(20); // polling interval of the wait, not a synchronisation
                pid = db.queryString(active);
            }
            assertThat(pid).as("the first stream's walsender").isNotNull();
            startFails(config(db).publication("p2").tables("public.t").build())
                    .hasMessageContaining("slot s is in use by process " + pid);
            assertThat(ServerProbe.slots(db)).isOne();
            assertThat(db.queryLong("SELECT count(*) FROM pg_publication WHERE pubname = 'p2'"))
                    .as("the second stream's publication")
                    .isZero();
            assertThat(first.state()).isEqualTo(ChangeStream.State.STREAMING);
        }
    }

    @Test
    void wrongPasswordIsReportedWithoutThePassword(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY)");
        startFails(config(db)
                        .source(uri(db, "postgres", "wrong-secret"))
                        .tables("public.t")
                        .build())
                .hasMessageContaining("password authentication failed")
                .message()
                .doesNotContain("wrong-secret");
        assertNothingCreated(db);
    }

    @Test
    void roleWithoutReplicationIsToldWhatToGrant(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY)");
        // Roles are cluster-wide.
        String role = "norepl_"
                + Long.toHexString(ThreadLocalRandom.current().nextLong()).toLowerCase(Locale.ROOT);
        db.createRole(role, "pw-" + role, "LOGIN");
        db.execute("GRANT SELECT ON t TO " + role);
        startFails(config(db)
                        .source(uri(db, role, "pw-" + role))
                        .tables("public.t")
                        .build())
                .hasMessageContaining("REPLICATION")
                .hasMessageContaining(role);
        assertNothingCreated(db);
        // Also when the publication exists already (made by its owner): still no slot.
        db.execute("CREATE PUBLICATION p FOR TABLE t");
        startFails(config(db).source(uri(db, role, "pw-" + role)).build())
                .hasMessageContaining("REPLICATION")
                .hasMessageContaining(role);
        assertThat(ServerProbe.slots(db)).isZero();
    }
}
