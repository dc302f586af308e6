package io.pgferry.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PgFerryExceptionTest {

    @Test
    void messageJoinsProblemAndFix() {
        PgFerryException e = PgFerryException.fatal("it broke", "mend it");
        assertThat(e.getMessage()).isEqualTo("it broke; fix: mend it");
        assertThat(e.problem()).isEqualTo("it broke");
        assertThat(e.fix()).isEqualTo("mend it");
        assertThat(PgFerryException.fatal("it broke", "").getMessage()).isEqualTo("it broke");
        assertThat(PgFerryException.fatal("it broke", null).getMessage()).isEqualTo("it broke");
    }

    @Test
    void lineBreaksInEitherPartBecomeVisibleEscapes() {
        PgFerryException e = PgFerryException.retriable(
                "table public.\"two\nlines\" is odd\r\n", "ALTER TABLE \"a\u2028b\" \u000B\f\u0085\u2029", null);
        assertThat(e.problem()).isEqualTo("table public.\"two\\nlines\" is odd\\r\\n");
        assertThat(e.fix()).isEqualTo("ALTER TABLE \"a\\u2028b\" \\u000B\\u000C\\u0085\\u2029");
        assertThat(e.getMessage())
                .doesNotContainPattern("\\R")
                .startsWith(e.problem())
                .endsWith(e.fix());
        assertThat(e.isRetriable()).isTrue();
    }
}
