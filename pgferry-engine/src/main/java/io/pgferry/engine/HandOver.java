package io.pgferry.engine;

import io.pgferry.core.Lsn;
import io.pgferry.core.PgFerryException;
import io.pgferry.engine.config.SyncConfig;
import io.pgferry.engine.schema.PgSql;
import io.pgferry.postgres.admin.PublicationChecks;
import io.pgferry.postgres.catalog.Identifiers;
import io.pgferry.postgres.catalog.TableName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands a caught-up sync over to PostgreSQL's own logical replication: a subscription at the target on the sync's
 * slot and publication, with {@code copy_data = false} and {@code create_slot = false} (PostgreSQL docs, CREATE
 * SUBSCRIPTION). The stream has confirmed exactly the position the target holds, and the subscription starts at the
 * slot's confirmed position, so the first transaction it applies is the first the sync did not.
 */
final class HandOver {
    private static final Logger log = LoggerFactory.getLogger(HandOver.class);

    private HandOver() {}

    /** Refuses, before anything is created, a name already taken or a role that may not create subscriptions. */
    static void check(Connection target, SyncConfig config) throws SQLException {
        try (PreparedStatement ps = target.prepareStatement("SELECT 1 FROM pg_catalog.pg_subscription WHERE subname = ?"
                + " AND subdbid = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())")) {
            ps.setString(1, config.thenSubscribe());
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    throw PgFerryException.fatal(
                            "subscription " + config.thenSubscribe() + " already exists at the target",
                            "choose another name, or drop it (DROP SUBSCRIPTION)");
                }
            }
        }
        try (Statement st = target.createStatement();
                ResultSet rs = st.executeQuery(
                        "SELECT rolsuper OR CASE WHEN current_setting('server_version_num')::int >= 160000"
                                + " THEN pg_catalog.pg_has_role(current_user, 'pg_create_subscription', 'MEMBER') ELSE false"
                                + " END"
                                + " FROM pg_catalog.pg_roles WHERE rolname = current_user")) {
            rs.next();
            if (!rs.getBoolean(1)) {
                throw PgFerryException.fatal(
                        "the target role may not create subscriptions, so the slot cannot be handed over",
                        "GRANT pg_create_subscription TO the role (PostgreSQL 16+), or connect as a superuser");
            }
        }
    }

    /**
     * Refuses, before anything is created, a publication that publishes tables besides the sync's {@code names}: the
     * subscription would apply their changes too, into tables the target lacks (its apply worker stops on each) or
     * holds as they were when they left the sync. Left out by the sync, they are not left out by a subscription.
     */
    static void checkPublication(Connection source, SyncConfig config, List<TableName> names) throws SQLException {
        List<TableName> more = new PublicationChecks(source, config.publication()).publishedBesides(names);
        if (!more.isEmpty()) {
            throw PgFerryException.fatal(
                    "publication " + config.publication() + " also publishes " + more.size() + " table(s) the sync does"
                            + " not have (" + more.get(0) + (more.size() > 1 ? ", ..." : "") + "), whose changes a"
                            + " subscription handed the slot would apply too",
                    "hand over with a publication that publishes the sync's tables only (without a publication"
                            + " given, pgferry makes one), or sync those tables too");
        }
    }

    /**
     * The subscription at PostgreSQL target {@code t} that took slot {@code slot} over, if any: after a hand-off the
     * slot is the subscription's. pg_subscription's name, database and slot columns are readable by every role; a
     * subscription of another database of the target's server belongs to another sync.
     */
    static Optional<String> subscriptionUsing(Connection t, String slot) throws SQLException {
        try (PreparedStatement ps = t.prepareStatement("SELECT subname FROM pg_catalog.pg_subscription"
                + " WHERE subslotname = ? AND subdbid = (SELECT oid FROM pg_catalog.pg_database"
                + " WHERE datname = pg_catalog.current_database()) ORDER BY subname LIMIT 1")) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        }
    }

    /**
     * Refuses to start a sync whose slot a subscription at the target took over: the subscription applies its
     * changes now, from a position past the sync's. Regression (issue 5): the start failed on the slot being in use,
     * with a fix (end the process that holds it) that let the sync and the subscription take the slot in turns.
     */
    static void refuseHandedOver(Connection target, SyncConfig config) throws SQLException {
        Optional<String> subscription = subscriptionUsing(target, config.slot());
        if (subscription.isPresent()) {
            throw PgFerryException.fatal(
                    "sync " + config.slot() + " was handed over to subscription "
                            + Identifiers.display(subscription.get())
                            + " at the target, which applies its changes now",
                    "leave them to the subscription; to sync with pgferry instead, drop the subscription (DROP"
                            + " SUBSCRIPTION " + Identifiers.quote(subscription.get()) + " drops the slot too)"
                            + " and remove the sync first");
        }
    }

    static void subscribe(Connection target, SyncConfig config, Lsn at) throws SQLException {
        String sql = "CREATE SUBSCRIPTION " + PgSql.quote(config.thenSubscribe()) + " CONNECTION "
                + PgSql.literal(config.source().libpqConninfo()) + " PUBLICATION " + PgSql.quote(config.publication())
                + " WITH (copy_data = false, create_slot = false, slot_name = " + PgSql.literal(config.slot())
                + ", enabled = true)";
        try (Statement st = target.createStatement()) {
            st.execute(sql);
        }
        log.info(
                "handed slot {} over to subscription {} at the target, from {}",
                config.slot(),
                config.thenSubscribe(),
                at);
    }
}
