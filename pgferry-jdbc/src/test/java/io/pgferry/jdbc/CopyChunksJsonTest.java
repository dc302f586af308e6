package io.pgferry.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The key bounds and marks of a chunked copy into a destination without arrays are JSON arrays of the keys' text
 * (issue 7): every value comes back as it went, and what is not such an array is refused without showing it.
 */
class CopyChunksJsonTest {
    @Test
    void keysOfAnyTextRoundTrip() {
        List<String> key = List.of("it's", "\\x00ff", "é\"\t\n", "", "𝄞", "[1,2]");
        assertThat(CopyChunks.fromJson(CopyChunks.toJson(key))).isEqualTo(key);
    }

    @Test
    void somethingElseIsRefusedWithoutItsValue() {
        assertThatThrownBy(() -> CopyChunks.fromJson("{\"secret\": 1}"))
                .hasMessage("a chunk bound is not a JSON array");
        assertThatThrownBy(() -> CopyChunks.fromJson("[\"a\", 7]"))
                .hasMessage("a chunk bound holds something other than strings");
        assertThatThrownBy(() -> CopyChunks.fromJson("[\"secret"))
                .hasMessage("a chunk bound is not valid JSON")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("secret"));
    }
}
