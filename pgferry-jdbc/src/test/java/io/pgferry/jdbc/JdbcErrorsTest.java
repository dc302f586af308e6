package io.pgferry.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.core.PgFerryException;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/**
 * Which destination errors a sync retries. The read-only errors of MySQL and MariaDB (issue 7) are tested against a
 * real MariaDB in the engine's {@code ForeignReadOnlyTest}; here, what their numbers and messages mean.
 */
class JdbcErrorsTest {
    private static final String READ_ONLY =
            "The MariaDB server is running with the --read-only option so it cannot execute this statement";

    @Test
    void mysqlAndMariadbReadOnlyErrorsAreRetriedWithTheirFix() {
        SQLException readOnly = new SQLException(READ_ONLY, "HY000", 1290);
        assertThat(JdbcErrors.isRetriable(readOnly)).isTrue();
        PgFerryException p = JdbcErrors.classify(readOnly, "apply to db.t");
        assertThat(p.isRetriable()).isTrue();
        assertThat(p.problem()).isEqualTo("apply to db.t: error 1290 (SQLSTATE HY000): the server is read-only");
        assertThat(p.fix()).contains("primary", "read_only");
        assertThat(JdbcErrors.isRetriable(new SQLException("Running in read-only mode", "HY000", 1836)))
                .isTrue();
    }

    /**
     * Issue 7: SQL Server's read-only error (3906, a database set READ_ONLY or a replica after a failover) stopped the
     * sync, where MySQL's, MariaDB's and PostgreSQL's are retried until the destination takes writes again.
     */
    @Test
    void sqlServerReadOnlyErrorIsRetriedWithItsFix() {
        SQLException readOnly = new SQLException(
                "Failed to update database \"shop\" because the database is read-only.", "S0001", 3906);
        assertThat(JdbcErrors.isRetriable(readOnly)).isTrue();
        PgFerryException p = JdbcErrors.classify(readOnly, "apply to dbo.t");
        assertThat(p.isRetriable()).isTrue();
        assertThat(p.problem()).isEqualTo("apply to dbo.t: error 3906 (SQLSTATE S0001): the database is read-only");
        assertThat(p.fix()).contains("primary replica", "SET READ_WRITE");
        assertThat(JdbcErrors.isRetriable(new SQLException("another error", "S0001", 3906)))
                .isFalse();
    }

    @Test
    void anotherOptionThatPreventsTheStatementStaysFatal() {
        SQLException secureFile = new SQLException(
                "The MySQL server is running with the --secure-file-priv option so it cannot execute this statement",
                "HY000",
                1290);
        assertThat(JdbcErrors.isRetriable(secureFile)).isFalse();
        assertThat(JdbcErrors.classify(secureFile, "copy").isRetriable()).isFalse();
    }

    /**
     * Issue 5: a target whose lock table was full stopped the sync with "out of shared memory; fix: see the destination
     * server's log", where PostgreSQL's own hint names the setting.
     */
    @Test
    void aFullLockTableNamesItsSetting() {
        PgFerryException p = JdbcErrors.classify(new SQLException("out of shared memory", "53200"), "create");
        assertThat(p.isRetriable()).isFalse();
        assertThat(p.fix()).contains("max_locks_per_transaction");
        assertThat(JdbcErrors.classify(new SQLException("could not extend file", "53100"), "apply")
                        .fix())
                .contains("full disk");
        assertThat(JdbcErrors.notRetried(
                                new SQLException("out of shared memory", "53200"), "read", "the source", "start over")
                        .fix())
                .startsWith("the source ran out of shared memory");
    }

    @Test
    void aPostgresqlReadOnlyTransactionIsRetried() {
        SQLException e = new SQLException("cannot execute INSERT in a read-only transaction", "25006");
        assertThat(JdbcErrors.classify(e, "apply").isRetriable()).isTrue();
    }

    /**
     * A copy is not retried where it failed: a read-only target during the initial copy said "a running sync retries
     * meanwhile", and the sync had stopped (found in CI, issue 7). Its fix now says to start the sync again.
     */
    @Test
    void workThatIsNotRetriedSaysToStartAgain() {
        PgFerryException p = JdbcErrors.notRetried(
                new SQLException(READ_ONLY, "HY000", 1290), "the initial copy failed", "start the sync again");
        assertThat(p.isRetriable()).isFalse();
        assertThat(p.fix()).contains("read_only = OFF").endsWith(", then start the sync again");
        assertThat(p.fix()).doesNotContain("retries");
        PgFerryException lost = JdbcErrors.notRetried(
                new SQLException("I/O error", "08006"), "the initial copy failed", "start the sync again");
        assertThat(lost.fix()).isEqualTo("check the destination, then start the sync again");
        PgFerryException source = JdbcErrors.notRetried(
                new SQLException("I/O error", "08006"), "could not read", "the source", "start the sync again");
        assertThat(source.fix()).isEqualTo("check the source, then start the sync again");
        PgFerryException data = JdbcErrors.notRetried(
                new SQLException("bad", "22P02"), "the initial copy failed", "start the sync again");
        assertThat(data.fix()).doesNotContain("start the sync again");
    }

    /**
     * Issue 5: the check that rehearses a created table's definitions at the target names a definition the target
     * refuses; a missing right or a read-only target keeps its own fix.
     */
    @Test
    void aRefusedDefinitionIsToldFromRightsAndTheServersState() {
        for (String state : new String[] {"42601", "42883", "42704", "0A000", "22023", "3F000"}) {
            assertThat(JdbcErrors.refusesDefinition(new SQLException("m", state)))
                    .as(state)
                    .isTrue();
        }
        for (String state : new String[] {"42501", "25006", "08006", "57P01", "40P01", "53100", "55P03"}) {
            assertThat(JdbcErrors.refusesDefinition(new SQLException("m", state)))
                    .as(state)
                    .isFalse();
        }
        assertThat(JdbcErrors.refusesDefinition(new SQLException("m"))).isFalse();
        assertThat(JdbcErrors.definitionError(new SQLException("line one\nline two", "42601")))
                .isEqualTo("line one line two (SQLSTATE 42601)");
    }
}
