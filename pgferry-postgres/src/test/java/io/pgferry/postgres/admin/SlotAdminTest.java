package io.pgferry.postgres.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgferry.core.PgFerryException;
import io.pgferry.postgres.admin.SlotAdmin.SlotInfo;
import io.pgferry.postgres.connect.Connections;
import io.pgferry.postgres.connect.Dsn;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.Test;

@PgTest
class SlotAdminTest {
    @Test
    void listsTheDatabasesSlotsWithRetainedWal(TestDatabase db) throws SQLException {
        db.execute(
                "SELECT pg_create_logical_replication_slot('pgferry_h4_sa_one', 'pgoutput')",
                "CREATE TABLE t (id int PRIMARY KEY)",
                "INSERT INTO t SELECT generate_series(1, 1000)");
        Dsn dsn = Dsn.parse(db.uri());
        try (Connection c = Connections.open(dsn)) {
            List<SlotInfo> slots = new SlotAdmin(c, dsn).list();
            assertThat(slots).hasSize(1);
            SlotInfo s = slots.get(0);
            assertThat(s.slotName()).isEqualTo("pgferry_h4_sa_one");
            assertThat(s.plugin()).isEqualTo("pgoutput");
            assertThat(s.slotType()).isEqualTo("logical");
            assertThat(s.database()).isEqualTo(db.name());
            assertThat(s.active()).isFalse();
            assertThat(s.activePid()).isNull();
            assertThat(s.confirmedFlushLsn().isValid()).isTrue();
            assertThat(s.restartLsn().isValid()).isTrue();
            assertThat(s.retainedWalBytes()).isPositive();
            assertThat(s.twoPhase()).isFalse();
            assertThat(new SlotAdmin(c, dsn).listAll())
                    .extracting(SlotInfo::slotName)
                    .contains("pgferry_h4_sa_one");
            assertThat(new SlotAdmin(c, dsn).find("pgferry_h4_sa_one"))
                    .hasValueSatisfying(f -> assertThat(f.confirmedFlushLsn()).isEqualTo(s.confirmedFlushLsn()));
            assertThat(new SlotAdmin(c, dsn).find("pgferry_h4_sa_none")).isEmpty();
        }
    }

    @Test
    void dropsAnInactiveSlot(TestDatabase db) throws SQLException {
        db.execute("SELECT pg_create_logical_replication_slot('pgferry_h4_sa_drop', 'pgoutput')");
        Dsn dsn = Dsn.parse(db.uri());
        try (Connection c = Connections.open(dsn)) {
            SlotAdmin admin = new SlotAdmin(c, dsn);
            admin.drop("pgferry_h4_sa_drop");
            assertThat(admin.list()).isEmpty();
            assertThatThrownBy(() -> admin.drop("pgferry_h4_sa_drop"))
                    .isInstanceOfSatisfying(PgFerryException.class, e -> {
                        assertThat(e.problem()).isEqualTo("replication slot pgferry_h4_sa_drop does not exist");
                        assertThat(e.fix()).contains("FROM pg_replication_slots");
                    });
        }
    }

    @Test
    void slotNamesAreCheckedBeforeTheServerSeesThem() {
        for (String bad : new String[] {"", "Upper", "with-dash", "sp ace", "x".repeat(64), "ünï", "a;drop"}) {
            assertThatThrownBy(() -> SlotAdmin.checkSlotName(bad))
                    .isInstanceOf(PgFerryException.class)
                    .hasMessageContaining("a-z, 0-9 and _");
        }
        SlotAdmin.checkSlotName("x".repeat(63));
        SlotAdmin.checkSlotName("pgferry_01");
    }
}
