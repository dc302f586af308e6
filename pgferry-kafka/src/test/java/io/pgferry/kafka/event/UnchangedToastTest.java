package io.pgferry.kafka.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.storage.SimpleHeaderConverter;
import org.junit.jupiter.api.Test;

/** The unchanged-TOAST header: names of any spelling survive, as bytes and through Connect's header converter. */
class UnchangedToastTest {
    private static final List<String> NAMES = List.of("plain", "with, comma", "quo\"te", "ünï cödé", "[x]", "a:b");

    @Test
    void namesOfAnySpellingRoundTrip() {
        assertThat(UnchangedToast.parse(UnchangedToast.value(NAMES))).containsExactlyElementsOf(NAMES);
        assertThat(UnchangedToast.parse(UnchangedToast.bytes(NAMES))).containsExactlyElementsOf(NAMES);
    }

    /** Connect's default header converter parses what looks like a list or a map; the prefix keeps it a string. */
    @Test
    void connectsDefaultHeaderConverterHandsItOverAsAString() {
        SimpleHeaderConverter converter = new SimpleHeaderConverter();
        SchemaAndValue read = converter.toConnectHeader(
                "t", UnchangedToast.HEADER, UnchangedToast.value(NAMES).getBytes(StandardCharsets.UTF_8));
        assertThat(read.value()).isInstanceOf(String.class);
        assertThat(UnchangedToast.parse(read.value())).containsExactlyElementsOf(NAMES);
    }

    @Test
    void somethingElseIsRefusedWithoutQuotingIt() {
        assertThatThrownBy(() -> UnchangedToast.parse("[\"secret\"]"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("secret");
        assertThatThrownBy(() -> UnchangedToast.parse(List.of("a")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("List");
    }
}
