package io.pgferry.cli.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.cli.CliRun;
import io.pgferry.cli.command.ExitCodes;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.PostgresServer;
import io.pgferry.testkit.SlotInvalidation;
import io.pgferry.testkit.TestDatabase;
import org.junit.jupiter.api.Test;

/**
 * A sync whose slot the source invalidated (it fell more than {@code max_slot_wal_keep_size} behind while the sync was
 * stopped), as a user meets it: the next start stops with the cause and the way out, {@code slots list} and {@code
 * status} show it, and {@code sync --drop}, emptying the table and a new start copy it afresh. Regression (issue 5): the start
 * failed with "database error 55000: ERROR: cannot read from logical replication slot", fix "see the PostgreSQL server
 * log for details". A slot dropped while the sync was stopped told the user to "delete the checkpoint".
 */
@PgTest
class SlotLostCommandTest {

    @Test
    void aSyncWhoseSlotWasInvalidatedSaysSoAndStartsOverAfterDrop() throws Exception {
        PostgresServer server = SlotInvalidation.startServer();
        try (TestDatabase source = TestDatabase.create(server);
                TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            source.execute(
                    "CREATE TABLE orders (id int PRIMARY KEY, v text)",
                    "INSERT INTO orders SELECT i, 'v' || i FROM generate_series(1, 100) i");
            String[] sync = {
                "sync",
                "--source",
                source.uri(),
                "--target",
                target.uri(),
                "--tables",
                "public.orders",
                "--until-caught-up"
            };
            CliRun first = CliRun.run(sync);
            assertThat(first.exitCode()).as(first.err()).isEqualTo(ExitCodes.OK);
            // Written while the sync is stopped, then the slot is invalidated: these changes are gone from it.
            source.execute("UPDATE orders SET v = 'changed' WHERE id <= 10");
            SlotInvalidation.invalidate(source, "pgferry_sync");

            CliRun again = CliRun.run(sync);
            assertThat(again.exitCode()).as(again.err()).isEqualTo(ExitCodes.RUNTIME);
            assertThat(again.err())
                    .contains("replication slot pgferry_sync was invalidated by the server (wal_removed")
                    .contains("remove it with pgferry sync --drop")
                    .contains("empty the tables it wrote at the target (TRUNCATE)")
                    .contains("raise max_slot_wal_keep_size");

            CliRun slots = CliRun.run("slots", "list", "--source", source.uri());
            assertThat(slots.out()).contains("lost").contains("wal_removed");
            CliRun status = CliRun.run("status", "--target", target.uri(), "--source", source.uri());
            assertThat(status.out()).contains("slot invalidated by the source (wal_removed)");

            CliRun drop = CliRun.run("sync", "--source", source.uri(), "--target", target.uri(), "--drop");
            assertThat(drop.exitCode()).as(drop.err()).isEqualTo(ExitCodes.OK);
            target.execute("TRUNCATE orders");
            CliRun fresh = CliRun.run(sync);
            assertThat(fresh.exitCode()).as(fresh.err()).isEqualTo(ExitCodes.OK);
            assertThat(fresh.err()).contains("copied and streamed");
            String rows = "SELECT string_agg(id || ':' || v, ',' ORDER BY id) FROM orders";
            assertThat(target.queryString(rows)).isEqualTo(source.queryString(rows));

            // A slot dropped at the source while the sync was stopped: the same way out, not "delete the checkpoint"
            // (the sync's position at the target, which a user should not edit by hand).
            source.execute("SELECT pg_drop_replication_slot('pgferry_sync')", "UPDATE orders SET v = 'again'");
            CliRun dropped = CliRun.run(sync);
            assertThat(dropped.exitCode()).as(dropped.err()).isEqualTo(ExitCodes.RUNTIME);
            assertThat(dropped.err())
                    .contains("but slot pgferry_sync does not exist: it was dropped")
                    .contains("remove it with pgferry sync --drop")
                    .doesNotContain("delete the checkpoint")
                    .doesNotContain("max_slot_wal_keep_size");
        } finally {
            server.embedded().close();
        }
    }
}
