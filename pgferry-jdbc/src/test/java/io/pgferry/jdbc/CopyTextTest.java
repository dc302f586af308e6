package io.pgferry.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** COPY text format: tab-separated, \N for NULL, backslash escapes, UTF-8 (PostgreSQL docs, "COPY", Text Format). */
class CopyTextTest {
    @Test
    void escapesWhatTheTextFormatGivesMeaningTo() {
        CopyText c = new CopyText(8);
        c.row(new String[] {"a\tb", null, "back\\slash", "line\nbreak\r", ""});
        assertThat(c.text()).isEqualTo("a\\tb\t\\N\tback\\\\slash\tline\\nbreak\\r\t\n");
    }

    @Test
    void writesUtf8IncludingCharactersOutsideTheBasicPlane() {
        CopyText c = new CopyText(1);
        c.row(new String[] {"ü€😀", "'t'"});
        c.row(new String[] {"f"});
        assertThat(c.text()).isEqualTo("ü€😀\t't'\nf\n");
        assertThat(c.size()).isEqualTo("ü€😀\t't'\nf\n".getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
    }
}
