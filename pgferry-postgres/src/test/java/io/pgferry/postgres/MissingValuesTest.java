package io.pgferry.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.core.event.Column;
import io.pgferry.core.event.Relation;
import io.pgferry.core.event.ReplicaIdentity;
import io.pgferry.postgres.connect.Dsn;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What the rows a table held when a column was added read in it, from a real server's catalog (issue 10): a column
 * added with a constant default has it, one added without a default or with a volatile one has none. The connection
 * is kept; one the server closed meanwhile is replaced, not reported.
 */
@PgTest
class MissingValuesTest {
    @Test
    void columnsAddedWithADefaultNameItAndAClosedConnectionIsReplaced(TestDatabase db) throws Exception {
        db.execute(
                "CREATE TABLE t (id int PRIMARY KEY)",
                "INSERT INTO t VALUES (1), (2)",
                "ALTER TABLE t ADD COLUMN d text DEFAULT 'it''s {here}'",
                "ALTER TABLE t ADD COLUMN n int",
                "ALTER TABLE t ADD COLUMN e numeric DEFAULT 7.50",
                "CREATE TABLE u (id int PRIMARY KEY)",
                "INSERT INTO u VALUES (1)",
                "ALTER TABLE u ADD COLUMN r float8 DEFAULT random()");
        try (MissingValues missing = new MissingValues(Dsn.parse(db.uri()))) {
            assertThat(missing.apply(relation(db, "t"))).isEqualTo(Map.of("d", "it's {here}", "e", "7.50"));
            // The server ends the kept connection, as idle_session_timeout or an administrator would.
            db.execute("SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity"
                    + " WHERE datname = current_database() AND pid <> pg_backend_pid()");
            assertThat(missing.apply(relation(db, "u"))).isEmpty();
        }
    }

    private static Relation relation(TestDatabase db, String table) throws Exception {
        int oid = (int) db.queryLong("SELECT '" + table + "'::regclass::oid");
        return new Relation(oid, "public", table, ReplicaIdentity.DEFAULT, List.of(new Column("id", 23, -1, true)));
    }
}
