package io.pgferry.verify.compare;

import io.pgferry.postgres.connect.Dsn;
import io.pgferry.testkit.PostgresServer;
import io.pgferry.testkit.TestDatabase;
import io.pgferry.verify.guard.GuardSchema;
import io.pgferry.verify.guard.GuardWorker;
import io.pgferry.verify.guard.Registrations;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

/**
 * A publisher database on the shared server and a subscriber database on the second server, linked by a native
 * {@code CREATE SUBSCRIPTION}, both with syncguard installed. Closing drops the subscription (and its slot), then
 * the subscriber database.
 */
public final class NativeReplica implements AutoCloseable {
    static final Duration DEADLINE = Duration.ofSeconds(60);

    public final TestDatabase publisher;
    public final TestDatabase subscriber;
    private boolean subscribed;

    public NativeReplica(TestDatabase publisher) throws SQLException {
        this.publisher = publisher;
        this.subscriber = TestDatabase.create(PostgresServer.second());
    }

    public Dsn publisherDsn() {
        return Dsn.parse(publisher.uri());
    }

    public Dsn subscriberDsn() {
        return Dsn.parse(subscriber.uri());
    }

    /** Installs syncguard on both sides and registers each table on both with the same arguments. */
    public void guard(String... tables) throws SQLException {
        for (TestDatabase db : List.of(publisher, subscriber)) {
            try (Connection c = db.connect()) {
                GuardSchema.install(c);
                for (String t : tables) {
                    Registrations.register(c, "public", t, null, null);
                }
            }
        }
    }

    /**
     * Publishes the tables (and a marker table) and subscribes to them; returns once the initial copy of every table
     * is done.
     */
    public void subscribe(String... tables) throws Exception {
        startSubscription(tables);
        awaitReady(tables.length);
    }

    /** Waits until the initial copy of the marker table and {@code tables} more is done. */
    public void awaitReady(int tables) throws Exception {
        await(() -> subscriber.queryLong("SELECT count(*) FROM pg_subscription_rel WHERE srsubstate <> 'r'") == 0
                && subscriber.queryLong("SELECT count(*) FROM pg_subscription_rel") == tables + 1);
    }

    /** Publishes the tables (and a marker table) and subscribes to them, without waiting for the initial copy. */
    public void startSubscription(String... tables) throws Exception {
        createSubscription("", tables);
    }

    /**
     * Publishes the tables (and a marker table) and creates a subscription to them that does nothing until {@link
     * #enableSubscription()}: CREATE SUBSCRIPTION locks the subscriber's tables, which a test may want locked when
     * the table sync workers start.
     */
    public void createDisabledSubscription(String... tables) throws Exception {
        createSubscription(" WITH (enabled = false)", tables);
    }

    public void enableSubscription() throws SQLException {
        subscriber.execute("ALTER SUBSCRIPTION verify_sub ENABLE");
    }

    private void createSubscription(String with, String... tables) throws Exception {
        for (TestDatabase db : List.of(publisher, subscriber)) {
            db.execute("CREATE TABLE settle_marker (id bigint PRIMARY KEY)");
        }
        publisher.execute("CREATE PUBLICATION verify_pub FOR TABLE settle_marker, " + String.join(", ", tables));
        subscriber.execute("CREATE SUBSCRIPTION verify_sub CONNECTION '"
                + publisher.keyValueDsn().replace("'", "''")
                + " sslmode=require sslcert=/nonexistent/client.crt sslkey=/nonexistent/client.key'"
                + " PUBLICATION verify_pub" + with);
        subscribed = true;
    }

    private long markers;

    /**
     * Waits until the subscriber has applied everything the publisher committed so far: a marker row committed now
     * arrives after all of it, as the apply worker applies in commit order. (A slot's confirmed position was seen
     * ahead of the changes applied just after the initial table sync, so it is not used here.)
     */
    public void awaitReplicated() throws Exception {
        long marker = ++markers;
        publisher.execute("INSERT INTO settle_marker VALUES (" + marker + ")");
        await(() -> subscriber.queryLong("SELECT count(*) FROM settle_marker WHERE id = " + marker) == 1);
    }

    /** Replicates, then brings both catalogs current. */
    public void settle() throws Exception {
        awaitReplicated();
        GuardWorker.drain(List.of(publisherDsn(), subscriberDsn()));
    }

    /** Options for {@code mode}, with a stability buffer of 1 ms: catalogs settled by the test are not in flight. */
    public VerifyOptions options(ConsistencyMode mode) {
        return VerifyOptions.defaults(publisherDsn(), subscriberDsn())
                .withMode(mode)
                .withStability(Duration.ofMillis(1), 1);
    }

    public interface Condition {
        boolean holds() throws Exception;
    }

    public static void await(Condition condition) throws Exception {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + DEADLINE);
            }
            Thread.sleep(20); // polling interval of the wait, not a synchronisation
        }
    }

    @Override
    public void close() throws SQLException {
        try {
            if (subscribed) {
                subscriber.execute("DROP SUBSCRIPTION verify_sub");
            }
        } finally {
            subscriber.close();
        }
    }
}
