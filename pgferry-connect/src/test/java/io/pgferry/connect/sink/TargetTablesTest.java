package io.pgferry.connect.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.core.event.Column;
import io.pgferry.core.event.Relation;
import io.pgferry.core.event.ReplicaIdentity;
import io.pgferry.jdbc.Dialect;
import io.pgferry.jdbc.Unrepresentable;
import io.pgferry.jdbc.foreign.JdbcTargetUri;
import io.pgferry.testkit.MariaDbServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The sink connector's destination tables at a real MariaDB server. */
class TargetTablesTest {
    private static final int INT4 = 23;
    private static final int TEXT = 25;

    /**
     * Regression (issue 10): two tasks of one connector write one table from different partitions, and both see a
     * column the source gained. The second task's ALTER TABLE failed with "Duplicate column name", and the task with
     * it; the column being there is all that matters.
     */
    @Test
    void aColumnAnotherTaskAddedFirstIsTaken() throws Exception {
        MariaDbServer maria = MariaDbServer.shared();
        String database = maria.createDatabase();
        try {
            Target target = Target.foreign(
                    JdbcTargetUri.parse(
                            "mariadb://" + maria.user() + "@" + maria.host() + ":" + maria.port() + "/" + database,
                            Map.of(JdbcTargetUri.PASSWORD_VARIABLE, maria.password())),
                    Unrepresentable.ERROR);
            Relation before = relation(new Column("id", INT4, -1, true));
            Relation after = relation(new Column("id", INT4, -1, true), new Column("w", TEXT, -1, false));
            try (Connection first = target.connect();
                    Connection second = target.connect()) {
                Dialect dialect = target.dialect(first);
                TargetTables one = new TargetTables(target, dialect, Map.of(), true);
                TargetTables two = new TargetTables(target, dialect, Map.of(), true);
                one.prepare(first, List.of(before));
                two.prepare(second, List.of(before));
                one.prepare(first, List.of(after));
                two.prepare(second, List.of(after));
                try (ResultSet rs = first.createStatement()
                        .executeQuery("SELECT count(*) FROM information_schema.columns WHERE table_schema = '"
                                + database + "' AND column_name = 'w'")) {
                    rs.next();
                    assertThat(rs.getInt(1)).isEqualTo(1);
                }
            }
        } finally {
            maria.drop(database);
        }
    }

    private static Relation relation(Column... columns) {
        return new Relation(1, "public", "t", ReplicaIdentity.DEFAULT, List.of(columns));
    }
}
