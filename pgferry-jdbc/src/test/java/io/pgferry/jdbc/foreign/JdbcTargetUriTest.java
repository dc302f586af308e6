package io.pgferry.jdbc.foreign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgferry.core.PgFerryException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Target URIs of the MySQL, MariaDB and SQLite destinations (issue 7): forms, options, refusals, secrets. */
class JdbcTargetUriTest {
    @TempDir
    Path dir;

    @Test
    void mysqlAndMariadbUrisBecomeConnectorJSettingsWithoutThePasswordInAnyText() {
        JdbcTarget t = JdbcTargetUri.parse(
                "mysql://app:s%40cret@db.example:3307/shop?sslmode=verify-full&sslrootcert=/ca.pem&connect_timeout=5",
                Map.of());
        assertThat(t.kind()).isEqualTo(JdbcTarget.Kind.MYSQL);
        assertThat(t.jdbcUrl()).isEqualTo("jdbc:mariadb://db.example:3307/shop");
        assertThat(t.database()).isEqualTo("shop");
        assertThat(t.properties())
                .containsEntry("user", "app")
                .containsEntry("password", "s@cret")
                .containsEntry("sslMode", "verify-full")
                .containsEntry("serverSslCert", "/ca.pem")
                .containsEntry("connectTimeout", "5000");
        assertThat(t.toString()).isEqualTo("mysql://db.example:3307/shop").doesNotContain("cret");
        assertThat(JdbcTargetUri.parse("mariadb://app@h/db", Map.of()).kind()).isEqualTo(JdbcTarget.Kind.MARIADB);
    }

    @Test
    void thePasswordComesFromTheUriThenAFileThenTheEnvironment() throws Exception {
        Path file = dir.resolve("pw");
        Files.writeString(file, "from-file\n", StandardCharsets.UTF_8);
        Map<String, String> env = Map.of(JdbcTargetUri.PASSWORD_VARIABLE, "from-env");
        assertThat(JdbcTargetUri.parse("mysql://u:inline@h/db?password_file=" + file, env)
                        .properties())
                .containsEntry("password", "inline");
        assertThat(JdbcTargetUri.parse("mysql://u@h/db?password_file=" + file, env)
                        .properties())
                .containsEntry("password", "from-file");
        assertThat(JdbcTargetUri.parse("mysql://u@h/db", env).properties()).containsEntry("password", "from-env");
    }

    @Test
    void sqliteUrisNameAFileAndADurabilitySetting() {
        JdbcTarget t = JdbcTargetUri.parse("sqlite:///var/lib/x.db?synchronous=normal", Map.of());
        assertThat(t.kind()).isEqualTo(JdbcTarget.Kind.SQLITE);
        assertThat(t.jdbcUrl()).isEqualTo("jdbc:sqlite:/var/lib/x.db");
        assertThat(t.synchronous()).isEqualTo("NORMAL");
        assertThat(JdbcTargetUri.parse("sqlite:/tmp/a.db", Map.of()).synchronous())
                .isEqualTo("FULL");
        assertThat(JdbcTargetUri.handles("sqlite:a.db")).isTrue();
        // A snapshot copy's commits need not be durable (it starts over); a chunked copy resumes from its own.
        assertThat(t.connectionProperties(true)).containsEntry("synchronous", "OFF");
        assertThat(t.connectionProperties(true, true)).containsEntry("synchronous", "NORMAL");
        assertThat(t.connectionProperties(false)).containsEntry("synchronous", "NORMAL");
        assertThat(JdbcTargetUri.handles("postgresql://h/db")).isFalse();
    }

    @Test
    void badInputIsRefusedWithTheFixAndNeverEchoesAPassword() {
        assertThatThrownBy(() -> JdbcTargetUri.parse("mysql://u:topsecret@h/db?sslmod=require", Map.of()))
                .isInstanceOf(PgFerryException.class)
                .hasMessageContaining("unknown key 'sslmod'")
                .hasMessageContaining("known keys: connect_timeout, local_infile, password_file, sslkeystore,"
                        + " sslkeystore_password_file, sslmode, sslrootcert")
                .hasMessageNotContaining("topsecret");
        assertThatThrownBy(() -> JdbcTargetUri.parse("mysql://u@h", Map.of()))
                .hasMessageContaining("needs a host and a database");
        assertThatThrownBy(() -> JdbcTargetUri.parse("mysql://u@h/db?sslmode=require", Map.of()))
                .hasMessageContaining("sslmode=require")
                .hasMessageContaining("verify-full");
        // Issue 7's audit: any value but "false" turned LOAD DATA LOCAL INFILE on, a typo included.
        assertThatThrownBy(() -> JdbcTargetUri.parse("mariadb://u@h/db?local_infile=no", Map.of()))
                .hasMessageContaining("local_infile=no")
                .hasMessageContaining("local_infile=false");
        assertThatThrownBy(() -> JdbcTargetUri.parse("sqlite:/x.db?synchronous=off", Map.of()))
                .hasMessageContaining("synchronous=full");
        assertThatThrownBy(() -> JdbcTargetUri.parse("sqlite:", Map.of())).hasMessageContaining("names no file");
        assertThatThrownBy(() -> JdbcTargetUri.parse("oracle://h/db", Map.of()))
                .hasMessageContaining("unsupported target URI scheme");
    }

    /**
     * Issue #7: the bulk-copy API behind mssql-jdbc's batched INSERTs skipped constraints, replaced NULLs by column
     * defaults and generated identity values anew unless told otherwise; a copy connection tells it.
     */
    @Test
    void sqlServerBulkCopyKeepsWhatAnInsertWouldKeep() {
        JdbcTarget t = JdbcTargetUri.parse("sqlserver://app:pw@h:1433/db", Map.of());
        assertThat(t.connectionProperties(true))
                .containsEntry("useBulkCopyForBatchInsert", "true")
                .containsEntry("bulkCopyForBatchInsertCheckConstraints", "true")
                .containsEntry("bulkCopyForBatchInsertKeepNulls", "true")
                .containsEntry("bulkCopyForBatchInsertKeepIdentity", "true");
        assertThat(t.connectionProperties(false)).doesNotContainKey("useBulkCopyForBatchInsert");
    }
}
