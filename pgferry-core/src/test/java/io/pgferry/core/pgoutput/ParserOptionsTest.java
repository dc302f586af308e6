package io.pgferry.core.pgoutput;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ParserOptionsTest {

    @Test
    void acceptsProtocolOneToFour() {
        for (int v = 1; v <= 4; v++) {
            assertThat(ParserOptions.of(v).protocolVersion()).isEqualTo(v);
        }
        assertThat(new ParserOptions(4, true).streamAbortHasLsn()).isTrue();
    }

    @Test
    void rejectsUnknownProtocolVersions() {
        assertThatThrownBy(() -> ParserOptions.of(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1 to 4");
        assertThatThrownBy(() -> ParserOptions.of(5)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void abortLsnOnlyWithProtocolFour() {
        assertThatThrownBy(() -> new ParserOptions(3, true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("streaming = parallel");
    }
}
