package io.pgferry.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("pg")
class EmbeddedPostgresTest {

    @Test
    void startsConfiguredServerAndDeletesItsDataOnClose() throws IOException {
        Path data;
        int port;
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder()
                .fsync(false)
                .ssl(true)
                .setting("application_name", "it's \\ quoted")
                .start()) {
            data = pg.dataDirectory();
            port = pg.port();
            assertThat(pg.host()).isEqualTo("127.0.0.1");
            assertThat(pg.superuser()).isEqualTo("postgres");
            assertThat(pg.password()).hasSize(24);
            assertThat(pg.majorVersion()).isEqualTo(expectedMajorVersion());
            assertThat(pg.uri("my db"))
                    .isEqualTo("postgresql://postgres:" + pg.password() + "@127.0.0.1:" + port + "/my%20db");
            assertThat(pg.jdbcUrl("app")).isEqualTo("jdbc:postgresql://127.0.0.1:" + port + "/app");
            assertThat(pg.jdbcProperties())
                    .containsEntry("user", "postgres")
                    .containsEntry("sslmode", "verify-full")
                    .containsEntry(
                            "sslrootcert", pg.caCertificate().orElseThrow().toString());
            assertThat(Files.readString(pg.caCertificate().orElseThrow(), StandardCharsets.UTF_8))
                    .startsWith("-----BEGIN CERTIFICATE-----");
            assertThat(Files.readString(pg.logFile(), StandardCharsets.UTF_8)).contains(ServerProcess.READY);
            assertThat(Files.readString(data.resolve("postgresql.conf"), StandardCharsets.UTF_8))
                    .contains("wal_level = 'logical'", "fsync = 'off'", "application_name = 'it''s \\\\ quoted'");
            assertThat(accepts(port)).isTrue();
        }
        assertThat(data).doesNotExist();
        assertThat(accepts(port)).isFalse();
    }

    @Test
    void withoutSslDisablesItForJdbc() {
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().fsync(false).start()) {
            assertThat(pg.caCertificate()).isEmpty();
            assertThat(pg.jdbcProperties()).containsEntry("sslmode", "disable");
            assertThat(accepts(pg.port())).isTrue();
        }
    }

    @Test
    void failedStartupReportsTheLogTailOnOneLine() {
        EmbeddedPostgres.Builder builder =
                EmbeddedPostgres.builder().fsync(false).setting("max_connections", "many");
        assertThatThrownBy(builder::start)
                .isInstanceOf(EmbeddedPostgresException.class)
                .hasMessageContaining("PostgreSQL exited with code")
                .hasMessageContaining("max_connections")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    private static int expectedMajorVersion() {
        return Integer.parseInt(System.getProperty("pg.version", "17"));
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
