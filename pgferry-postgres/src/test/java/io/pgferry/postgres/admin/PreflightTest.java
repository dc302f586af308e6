package io.pgferry.postgres.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.postgres.admin.Finding.Severity;
import io.pgferry.postgres.catalog.TableName;
import io.pgferry.postgres.connect.Dsn;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.PostgresServer;
import io.pgferry.testkit.TestDatabase;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

@PgTest
class PreflightTest {
    static Dsn as(TestDatabase db, String user, String password) {
        PostgresServer s = db.server();
        return Dsn.parse("host=" + s.host() + " port=" + s.port() + " dbname=" + db.name() + " user='" + user
                + "' password='" + password + "'");
    }

    private static Optional<Finding> find(List<Finding> findings, String subject) {
        return findings.stream().filter(f -> f.subject().equals(subject)).findFirst();
    }

    private static List<Finding> about(List<Finding> findings, String subject) {
        return findings.stream().filter(f -> f.subject().equals(subject)).toList();
    }

    @Test
    void readySource(TestDatabase db) throws SQLException {
        db.execute("CREATE TABLE orders (id int PRIMARY KEY, note text)", "CREATE PUBLICATION pub FOR TABLE orders");
        List<Finding> findings = Preflight.run(Dsn.parse(db.uri()), "pub", List.of());
        assertThat(findings).allMatch(f -> f.severity() == Severity.OK, "all OK");
        assertThat(Preflight.isReady(findings)).isTrue();
        assertThat(findings)
                .extracting(Finding::subject)
                .containsExactly(
                        "server version",
                        "wal_level",
                        "replication slots",
                        "wal senders",
                        "role postgres",
                        "replication connection",
                        "publication pub",
                        "table public.orders");
        assertThat(find(findings, "wal_level").orElseThrow().message()).isEqualTo("logical");
        assertThat(find(findings, "table public.orders").orElseThrow().message())
                .contains("replica identity default (primary key)");
        assertThat(find(findings, "publication pub").orElseThrow().message())
                .isEqualTo("1 table, publishes insert, update, delete, truncate");
    }

    @Test
    void everyReplicaIdentity(TestDatabase db) throws SQLException {
        db.execute(
                "CREATE TABLE with_pk (id int PRIMARY KEY)",
                "CREATE TABLE no_pk (v text)",
                "CREATE TABLE full_ri (v text)",
                "ALTER TABLE full_ri REPLICA IDENTITY FULL",
                "CREATE TABLE idx_ri (v text NOT NULL)",
                "CREATE UNIQUE INDEX idx_ri_v ON idx_ri (v)",
                "ALTER TABLE idx_ri REPLICA IDENTITY USING INDEX idx_ri_v",
                "CREATE TABLE nothing_ri (id int PRIMARY KEY)",
                "ALTER TABLE nothing_ri REPLICA IDENTITY NOTHING");
        List<Finding> findings = Preflight.run(
                Dsn.parse(db.uri()), null, TableName.parseList("with_pk,no_pk,full_ri,idx_ri,nothing_ri"));
        assertThat(find(findings, "table public.with_pk").orElseThrow().severity())
                .isEqualTo(Severity.OK);
        assertThat(find(findings, "table public.full_ri").orElseThrow().message())
                .contains("full");
        assertThat(find(findings, "table public.idx_ri").orElseThrow().message())
                .contains("replica identity index");
        Finding noPk = find(findings, "table public.no_pk").orElseThrow();
        assertThat(noPk.severity()).isEqualTo(Severity.FAIL);
        assertThat(noPk.message()).contains("no primary key");
        assertThat(noPk.fix())
                .isEqualTo("ALTER TABLE \"public\".\"no_pk\" REPLICA IDENTITY FULL; or add a primary key");
        Finding nothing = find(findings, "table public.nothing_ri").orElseThrow();
        assertThat(nothing.severity()).isEqualTo(Severity.FAIL);
        assertThat(nothing.message()).contains("NOTHING");
        assertThat(Preflight.isReady(findings)).isFalse();
    }

    @Test
    void insertOnlyPublicationNeedsNoReplicaIdentity(TestDatabase db) throws SQLException {
        db.execute("CREATE TABLE log (v text)", "CREATE PUBLICATION ins FOR TABLE log WITH (publish = 'insert')");
        List<Finding> findings = Preflight.run(Dsn.parse(db.uri()), "ins", List.of());
        assertThat(find(findings, "table public.log").orElseThrow().severity()).isEqualTo(Severity.OK);
        assertThat(Preflight.isReady(findings)).isTrue();
    }

    @Test
    void mixedCaseAndOddIdentifiers(TestDatabase db) throws SQLException {
        db.execute(
                "CREATE SCHEMA \"Sales Dept\"",
                "CREATE TABLE \"Sales Dept\".\"Order \"\"Lines\"\".x\" (v text)",
                "CREATE PUBLICATION \"My Pub\" FOR TABLE \"Sales Dept\".\"Order \"\"Lines\"\".x\"");
        List<Finding> findings = Preflight.run(Dsn.parse(db.uri()), "My Pub", List.of());
        Finding table =
                find(findings, "table \"Sales Dept\".\"Order \"\"Lines\"\".x\"").orElseThrow();
        assertThat(table.severity()).isEqualTo(Severity.FAIL);
        assertThat(table.fix())
                .startsWith("ALTER TABLE \"Sales Dept\".\"Order \"\"Lines\"\".x\" REPLICA IDENTITY FULL");
        assertThat(find(findings, "publication \"My Pub\"").orElseThrow().severity())
                .isEqualTo(Severity.OK);

        db.execute("ALTER TABLE \"Sales Dept\".\"Order \"\"Lines\"\".x\" REPLICA IDENTITY FULL");
        assertThat(Preflight.isReady(Preflight.run(
                        Dsn.parse(db.uri()),
                        "My Pub",
                        TableName.parseList("\"Sales Dept\".\"Order \"\"Lines\"\".x\""))))
                .isTrue();
    }

    @Test
    void unknownPublicationAndTable(TestDatabase db) throws SQLException {
        List<Finding> findings = Preflight.run(Dsn.parse(db.uri()), "nopub", List.of());
        Finding pub = find(findings, "publication nopub").orElseThrow();
        assertThat(pub.severity()).isEqualTo(Severity.FAIL);
        assertThat(pub.message()).isEqualTo("does not exist");
        assertThat(pub.fix()).contains("CREATE PUBLICATION \"nopub\"");

        List<Finding> withTables = Preflight.run(Dsn.parse(db.uri()), "nopub", TableName.parseList("missing"));
        assertThat(find(withTables, "publication nopub").orElseThrow().severity())
                .isEqualTo(Severity.WARN);
        Finding missing = find(withTables, "table public.missing").orElseThrow();
        assertThat(missing.severity()).isEqualTo(Severity.FAIL);
        assertThat(missing.message()).isEqualTo("does not exist");
    }

    @Test
    void tableOutsideThePublicationAndNotATable(TestDatabase db) throws SQLException {
        db.execute(
                "CREATE TABLE a (id int PRIMARY KEY)",
                "CREATE TABLE b (id int PRIMARY KEY)",
                "CREATE VIEW v AS SELECT 1 AS x",
                "CREATE PUBLICATION pub FOR TABLE a");
        List<Finding> findings = Preflight.run(Dsn.parse(db.uri()), "pub", TableName.parseList("a,b,v"));
        assertThat(find(findings, "table public.a").orElseThrow().severity()).isEqualTo(Severity.OK);
        Finding b = find(findings, "table public.b").orElseThrow();
        assertThat(b.severity()).isEqualTo(Severity.FAIL);
        assertThat(b.fix()).isEqualTo("ALTER PUBLICATION \"pub\" ADD TABLE \"public\".\"b\"");
        assertThat(find(findings, "table public.v").orElseThrow().message()).isEqualTo("is a view, not a table");
    }

    @Test
    void roleWithoutReplicationOrSelect(TestDatabase db) throws SQLException {
        String role = db.createRole("pgferry_h4_pf_plain", "pw-plain", "LOGIN");
        db.execute("CREATE TABLE t (id int PRIMARY KEY)");
        List<Finding> findings = Preflight.run(as(db, role, "pw-plain"), null, TableName.parseList("t"));
        Finding r = find(findings, "role pgferry_h4_pf_plain").orElseThrow();
        assertThat(r.severity()).isEqualTo(Severity.FAIL);
        assertThat(r.fix()).startsWith("ALTER ROLE \"pgferry_h4_pf_plain\" WITH REPLICATION");
        assertThat(find(findings, "replication connection")).isEmpty();
        List<Finding> table = about(findings, "table public.t");
        assertThat(table)
                .extracting(Finding::fix)
                .contains("GRANT SELECT ON \"public\".\"t\" TO \"pgferry_h4_pf_plain\"");
    }

    @Test
    void replicationRoleThatDoesNotOwnTheTablesOfANewPublication(TestDatabase db) throws SQLException {
        String role = db.createRole("pgferry_h4_pf_repl", "pw-repl", "LOGIN", "REPLICATION");
        db.execute("CREATE TABLE t (id int PRIMARY KEY)", "GRANT SELECT ON t TO pgferry_h4_pf_repl");
        List<Finding> findings = Preflight.run(as(db, role, "pw-repl"), "newpub", TableName.parseList("t"));
        assertThat(find(findings, "role pgferry_h4_pf_repl").orElseThrow().message())
                .isEqualTo("has the REPLICATION attribute");
        assertThat(find(findings, "replication connection").orElseThrow().severity())
                .isEqualTo(Severity.OK);
        Finding t = find(findings, "table public.t").orElseThrow();
        assertThat(t.severity()).isEqualTo(Severity.FAIL);
        assertThat(t.message()).contains("does not own it");

        db.execute("ALTER TABLE t OWNER TO pgferry_h4_pf_repl");
        assertThat(Preflight.isReady(Preflight.run(as(db, role, "pw-repl"), "newpub", TableName.parseList("t"))))
                .isTrue();
    }

    @Test
    void cloudReplicationRoleMembershipCounts(TestDatabase db) throws SQLException {
        db.createRole("rds_replication", null);
        String role = db.createRole("pgferry_h4_pf_rds", "pw-rds", "LOGIN");
        db.execute("GRANT rds_replication TO pgferry_h4_pf_rds");
        List<Finding> findings = Preflight.run(as(db, role, "pw-rds"), null, List.of());
        Finding r = find(findings, "role pgferry_h4_pf_rds").orElseThrow();
        assertThat(r.severity()).isEqualTo(Severity.OK);
        assertThat(r.message()).contains("rds_replication");
    }

    @Test
    void noTablesToCheckIsAWarning(TestDatabase db) {
        List<Finding> findings = Preflight.run(Dsn.parse(db.uri()), null, List.of());
        assertThat(find(findings, "tables").orElseThrow().severity()).isEqualTo(Severity.WARN);
        assertThat(Preflight.isReady(findings)).isTrue();
    }

    @Test
    void noFreeSlotIsAFailure(TestDatabase db) throws SQLException {
        long max = db.queryLong("SELECT current_setting('max_replication_slots')::int");
        long used = db.queryLong("SELECT count(*) FROM pg_replication_slots");
        StringBuilder sql = new StringBuilder("SELECT count(*) FROM generate_series(1, " + (max - used) + ") g,"
                + " LATERAL pg_create_logical_replication_slot('pgferry_h4_fill_' || g, 'pgoutput')");
        db.execute(sql.toString());
        try {
            List<Finding> findings = Preflight.run(Dsn.parse(db.uri()), null, List.of());
            Finding slots = find(findings, "replication slots").orElseThrow();
            assertThat(slots.severity()).isEqualTo(Severity.FAIL);
            assertThat(slots.fix()).contains("pg_drop_replication_slot");
        } finally {
            db.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
                    + " WHERE slot_name LIKE 'pgferry\\_h4\\_fill\\_%'");
        }
    }
}
