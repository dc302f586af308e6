package io.pgferry.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;

class BinariesTest {

    @Test
    void parsesMajorVersion() {
        assertThat(Binaries.parseMajorVersion("postgres (PostgreSQL) 17.11\n")).isEqualTo(17);
        assertThat(Binaries.parseMajorVersion("postgres (PostgreSQL) 18.0")).isEqualTo(18);
        assertThat(Binaries.parseMajorVersion("postgres (PostgreSQL) 14.24 (Debian 14.24-1)"))
                .isEqualTo(14);
        assertThatThrownBy(() -> Binaries.parseMajorVersion("nonsense")).isInstanceOf(EmbeddedPostgresException.class);
    }

    @Test
    void extractedFilesBecomeReadableByOthers() {
        assertThat(PosixFilePermissions.toString(TarXzExtractor.shareable(0700)))
                .isEqualTo("rwxr-xr-x");
        assertThat(PosixFilePermissions.toString(TarXzExtractor.shareable(0600)))
                .isEqualTo("rw-r--r--");
        assertThat(PosixFilePermissions.toString(TarXzExtractor.shareable(0755)))
                .isEqualTo("rwxr-xr-x");
    }

    @Test
    void encodesUriParts() {
        assertThat(EmbeddedPostgres.encode("a b/c@d")).isEqualTo("a%20b%2Fc%40d");
    }
}
