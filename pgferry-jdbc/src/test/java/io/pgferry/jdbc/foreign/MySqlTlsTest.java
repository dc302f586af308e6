package io.pgferry.jdbc.foreign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgferry.core.PgFerryException;
import io.pgferry.testkit.MariaDbServer;
import io.pgferry.testkit.TestCertificates;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TLS settings of a MySQL/MariaDB target URI at a real MariaDB server that takes TLS (issue 7: "honour TLS
 * options"): a verified connection is encrypted, for the copy's bulk loads too; a certificate from another CA, or no
 * TLS for a user who needs it, is refused; a client certificate from {@code sslkeystore} authenticates a user created
 * {@code REQUIRE X509}, who cannot connect without it.
 */
@Tag("mariadb")
class MySqlTlsTest {
    private static final String TLS_USER = "pgferry_tls";
    private static final String X509_USER = "pgferry_x509";
    private static final String PASSWORD = "tls-secret";

    private static MariaDbServer maria;
    private static String database;

    @TempDir
    Path dir;

    @BeforeAll
    static void users() throws SQLException {
        maria = MariaDbServer.shared();
        database = maria.createDatabase();
        for (String user : new String[] {TLS_USER, X509_USER}) {
            maria.execute(
                    "",
                    "DROP USER IF EXISTS '" + user + "'@'127.0.0.1'",
                    "CREATE USER '" + user + "'@'127.0.0.1' IDENTIFIED BY '" + PASSWORD + "' REQUIRE "
                            + (user.equals(TLS_USER) ? "SSL" : "X509"),
                    "GRANT ALL PRIVILEGES ON `" + database + "`.* TO '" + user + "'@'127.0.0.1'");
        }
    }

    @AfterAll
    static void dropUsers() throws SQLException {
        maria.execute(
                "",
                "DROP USER IF EXISTS '" + TLS_USER + "'@'127.0.0.1'",
                "DROP USER IF EXISTS '" + X509_USER + "'@'127.0.0.1'");
        maria.drop(database);
    }

    private static JdbcTarget target(String user, String query) {
        return JdbcTargetUri.parse(
                "mariadb://" + user + ":" + PASSWORD + "@127.0.0.1:" + maria.port() + "/" + database + "?" + query,
                Map.of());
    }

    private static String caOption() {
        return "sslrootcert=" + maria.certificates().caCertificate();
    }

    /** The TLS protocol of the session, empty when it is not encrypted. */
    private static String tlsVersion(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SHOW SESSION STATUS LIKE 'Ssl_version'")) {
            return rs.next() ? rs.getString(2) : "";
        }
    }

    @Test
    void aVerifiedConnectionIsEncryptedForTheCopyToo() throws SQLException {
        for (String mode : new String[] {"verify-full", "verify-ca", "trust"}) {
            JdbcTarget t = target(TLS_USER, "sslmode=" + mode + "&" + caOption());
            for (boolean bulk : new boolean[] {false, true}) {
                try (Connection c = t.connect(bulk)) {
                    assertThat(tlsVersion(c)).as(mode + ", bulk " + bulk).startsWith("TLSv1.");
                }
            }
        }
    }

    @Test
    void aUserWhoNeedsTlsIsRefusedWithoutIt() {
        assertThatThrownBy(() -> target(TLS_USER, "sslmode=disable").connect().close())
                .isInstanceOf(PgFerryException.class)
                .hasMessageContaining("could not connect to mariadb://127.0.0.1:" + maria.port())
                .hasMessageNotContaining(PASSWORD);
    }

    @Test
    void aServerCertificateFromAnotherCaIsRefused() throws Exception {
        Path other = Files.createDirectories(dir.resolve("other-ca"));
        String otherCa = TestCertificates.generate(other).caCertificate().toString();
        for (String mode : new String[] {"verify-full", "verify-ca"}) {
            assertThatThrownBy(() -> target(TLS_USER, "sslmode=" + mode + "&sslrootcert=" + otherCa)
                            .connect()
                            .close())
                    .as(mode)
                    .isInstanceOf(PgFerryException.class)
                    .hasMessageContaining("could not connect to mariadb://")
                    .hasMessageNotContaining(PASSWORD);
        }
    }

    @Test
    void aClientCertificateAuthenticatesAUserCreatedRequireX509() throws Exception {
        TestCertificates certificates = maria.certificates();
        Path passwordFile = dir.resolve("store-password");
        Files.writeString(passwordFile, certificates.clientKeyStorePassword() + "\n", StandardCharsets.UTF_8);
        JdbcTarget t = target(
                X509_USER,
                "sslmode=verify-full&" + caOption() + "&sslkeystore=" + certificates.clientKeyStore()
                        + "&sslkeystore_password_file=" + passwordFile);
        assertThat(t.properties()).containsEntry("keyStoreType", "PKCS12");
        for (boolean bulk : new boolean[] {false, true}) {
            try (Connection c = t.connect(bulk);
                    Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT CURRENT_USER()")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo(X509_USER + "@127.0.0.1");
                assertThat(tlsVersion(c)).startsWith("TLSv1.");
            }
        }
        assertThatThrownBy(() -> target(X509_USER, "sslmode=verify-full&" + caOption())
                        .connect()
                        .close())
                .isInstanceOf(PgFerryException.class)
                .hasMessageContaining("could not connect to mariadb://");
    }

    @Test
    void aKeyStoreThatCannotServeIsRefusedWhenTheUriIsRead() throws Exception {
        TestCertificates certificates = maria.certificates();
        String store = certificates.clientKeyStore().toString();
        Path wrong = dir.resolve("wrong-password");
        Files.writeString(wrong, "not-the-password", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> target(
                        X509_USER, "sslmode=verify-full&sslkeystore=" + store + "&sslkeystore_password_file=" + wrong))
                .isInstanceOf(PgFerryException.class)
                .hasMessageContaining("could not open the client key store " + store)
                .hasMessageContaining("wrong password")
                .hasMessageContaining("sslkeystore_password_file")
                .hasMessageNotContaining("not-the-password");
        assertThatThrownBy(() -> target(X509_USER, "sslmode=verify-full&sslkeystore=" + dir.resolve("missing.p12")))
                .isInstanceOf(PgFerryException.class)
                .hasMessageContaining("could not open the client key store")
                .hasMessageContaining("openssl pkcs12 -export");
        assertThatThrownBy(() -> target(X509_USER, "sslmode=verify-full&sslkeystore=" + certificates.caCertificate()))
                .isInstanceOf(PgFerryException.class)
                .hasMessageContaining("neither PKCS#12 nor JKS");
        assertThatThrownBy(() -> target(X509_USER, "sslmode=disable&sslkeystore=" + store))
                .isInstanceOf(PgFerryException.class)
                .hasMessageContaining("needs TLS, and sslmode is disable")
                .hasMessageContaining("sslmode=verify-full");
        assertThatThrownBy(() -> target(X509_USER, "sslmode=verify-full&sslkeystore_password_file=" + wrong))
                .isInstanceOf(PgFerryException.class)
                .hasMessageContaining("names the password of no key store");
    }
}
