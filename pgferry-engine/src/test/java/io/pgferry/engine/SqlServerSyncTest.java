package io.pgferry.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.engine.config.SyncConfig;
import io.pgferry.jdbc.foreign.JdbcTarget;
import io.pgferry.jdbc.foreign.JdbcTargetUri;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * A sync into a real SQL Server (2022 or later), run only when {@code PGFERRY_TEST_SQLSERVER_URL} names one (a
 * {@code sqlserver://} URI or the driver's {@code jdbc:sqlserver://} URL): CI has no SQL Server. Issue #7.
 */
@PgTest
@Tag("stream")
@EnabledIfEnvironmentVariable(named = "PGFERRY_TEST_SQLSERVER_URL", matches = ".+")
class SqlServerSyncTest {
    @Test
    void copiesAndStreamsIntoSqlServer(TestDatabase source) throws Exception {
        JdbcTarget target = JdbcTargetUri.parse(System.getenv("PGFERRY_TEST_SQLSERVER_URL"), System.getenv());
        byte[] b = new byte[4];
        new SecureRandom().nextBytes(b);
        String schema = "pgf_" + HexFormat.of().formatHex(b);
        try (Connection c = target.connect();
                Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA [" + schema + "]");
        }
        source.execute(
                "CREATE TABLE t (id int PRIMARY KEY, n numeric(12,2), note text, at timestamptz, flag bool)",
                "INSERT INTO t VALUES (1, 1.50, 'Ünï ''q''', '2024-01-01 12:00+02', true), (2, NULL, NULL, NULL, NULL)");
        SyncConfig.Builder config = SyncConfig.builder()
                .source(source.uri())
                .target(target)
                .mapSchema("public", schema)
                .slot(schema)
                .catalogSchema(schema)
                .untilCaughtUp(true);
        new SyncEngine(config.build()).run();
        source.execute(
                "UPDATE t SET note = 'changed' WHERE id = 1",
                "DELETE FROM t WHERE id = 2",
                "INSERT INTO t (id) VALUES (3)");
        new SyncEngine(config.build()).run();
        List<String> rows = new ArrayList<>();
        try (Connection c = target.connect();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT id, n, note, CONVERT(varchar(40), at, 127), flag FROM [" + schema
                        + "].[t] ORDER BY id")) {
            while (rs.next()) {
                rows.add(rs.getInt(1) + "|" + rs.getString(2) + "|" + rs.getString(3) + "|" + rs.getString(4) + "|"
                        + rs.getString(5));
            }
        }
        assertThat(rows).containsExactly("1|1.50|changed|2024-01-01T10:00:00Z|1", "3|null|null|null|null");
    }
}
