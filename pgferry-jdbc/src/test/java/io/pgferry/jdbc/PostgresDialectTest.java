package io.pgferry.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgferry.core.event.Column;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The SQL the PostgreSQL dialect writes: every identifier quoted, values never spliced in. */
class PostgresDialectTest {
    private final PostgresDialect d = new PostgresDialect();

    @Test
    void quotesEveryIdentifier() {
        assertThat(d.quote("select")).isEqualTo("\"select\"");
        assertThat(d.quote("Mixed \"Q\" ü")).isEqualTo("\"Mixed \"\"Q\"\" ü\"");
        assertThat(d.qualified(new TargetTable("My Schema", "t.x"))).isEqualTo("\"My Schema\".\"t.x\"");
        assertThatThrownBy(() -> d.quote("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> d.quote("a\0b")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void matchesNullSafelyAndComparesTypesWithoutEqualityAsText() {
        assertThat(d.matches(new Column("n", 23, -1, true))).isEqualTo("\"n\" IS NOT DISTINCT FROM ?");
        assertThat(d.matches(new Column("doc", 114, -1, true))).isEqualTo("\"doc\"::text IS NOT DISTINCT FROM ?::text");
        assertThat(d.matches(new Column("p", 600, -1, true))).isEqualTo("\"p\"::text IS NOT DISTINCT FROM ?::text");
        assertThat(d.equalsKey(new Column("Id", 23, -1, true))).isEqualTo("\"Id\" = ?");
    }

    @Test
    void truncateCarriesTheSourceFlags() {
        List<TargetTable> t = List.of(new TargetTable("public", "a"), new TargetTable("s", "B"));
        assertThat(d.truncate(t, false, false)).isEqualTo("TRUNCATE \"public\".\"a\", \"s\".\"B\"");
        assertThat(d.truncate(t, true, true))
                .isEqualTo("TRUNCATE \"public\".\"a\", \"s\".\"B\" RESTART IDENTITY CASCADE");
    }

    @Test
    void oneRowPicksByTableOidAndCtid() {
        assertThat(d.oneRow(new TargetTable("public", "log"), null, "\"k\" IS NOT DISTINCT FROM ?"))
                .isEqualTo("DELETE FROM \"public\".\"log\" WHERE (tableoid, ctid) = (SELECT tableoid, ctid FROM"
                        + " \"public\".\"log\" WHERE \"k\" IS NOT DISTINCT FROM ? LIMIT 1)");
    }
}
