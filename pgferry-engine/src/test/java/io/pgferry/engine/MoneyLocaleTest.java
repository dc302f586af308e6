package io.pgferry.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which tables make the target's sessions read money in the source's lc_monetary (issue 5). */
@PgTest
class MoneyLocaleTest {
    @Test
    void moneyIsFoundInsideDomainsArraysCompositesAndRanges(TestDatabase db) throws SQLException {
        db.execute(
                "CREATE DOMAIN cash AS money",
                "CREATE TYPE price AS (amount cash, note text)",
                "CREATE TYPE price_range AS RANGE (subtype = money)",
                "CREATE TABLE plain (id int PRIMARY KEY, m money)",
                "CREATE TABLE in_domain (id int PRIMARY KEY, c cash)",
                "CREATE TABLE in_array (id int PRIMARY KEY, c cash[])",
                "CREATE TABLE in_composite (id int PRIMARY KEY, p price)",
                "CREATE TABLE in_range (id int PRIMARY KEY, r price_range)",
                "CREATE TABLE in_multirange (id int PRIMARY KEY, r price_multirange)",
                "CREATE TABLE none (id int PRIMARY KEY, n numeric(12, 2), t text[])",
                "ALTER TABLE none DROP COLUMN t",
                "CREATE TABLE dropped (id int PRIMARY KEY, m money)",
                "ALTER TABLE dropped DROP COLUMN m");
        try (Connection c = db.connect()) {
            for (String t : List.of("plain", "in_domain", "in_array", "in_composite", "in_range", "in_multirange")) {
                assertThat(MoneyLocale.holdsMoney(c, List.of(oid(db, t)))).as(t).isTrue();
            }
            assertThat(MoneyLocale.holdsMoney(c, List.of(oid(db, "none"), oid(db, "dropped"))))
                    .isFalse();
            assertThat(MoneyLocale.holdsMoney(c, List.of(oid(db, "none"), oid(db, "plain"))))
                    .isTrue();
            assertThat(MoneyLocale.holdsMoney(c, List.of())).isFalse();
        }
    }

    private static long oid(TestDatabase db, String table) throws SQLException {
        return db.queryLong("SELECT 'public." + table + "'::regclass::oid::bigint");
    }
}
