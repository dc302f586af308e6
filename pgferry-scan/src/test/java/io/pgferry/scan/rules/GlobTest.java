package io.pgferry.scan.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class GlobTest {
    @Test
    void starsAndQuestionMarks() {
        assertThat(new Glob("pay*").matches("payments")).isTrue();
        assertThat(new Glob("pay*").matches("pay")).isTrue();
        assertThat(new Glob("*_log").matches("audit_log")).isTrue();
        assertThat(new Glob("a?c").matches("abc")).isTrue();
        assertThat(new Glob("a?c").matches("ac")).isFalse();
        assertThat(new Glob("*a*b*").matches("xxaxxbxx")).isTrue();
        assertThat(new Glob("Orders").matches("orders")).isFalse();
    }

    @Test
    void scopeAppliesSchemaTableAndColumnPatterns() {
        Scope s = Scope.of(
                List.of("public", "crm"),
                List.of("customers", "crm.*"),
                List.of("*_archive"),
                List.of(),
                List.of("password_hash"));
        assertThat(s.coversTable("public", "customers")).isTrue();
        assertThat(s.coversTable("crm", "leads")).isTrue();
        assertThat(s.coversTable("crm", "leads_archive")).isFalse();
        assertThat(s.coversTable("public", "orders")).isFalse();
        assertThat(s.coversTable("sales", "customers")).isFalse();
        assertThat(s.coversColumn("email")).isTrue();
        assertThat(s.coversColumn("password_hash")).isFalse();
        assertThat(s.excludesColumn("password_hash")).isTrue();
    }
}
