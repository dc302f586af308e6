package io.pgferry.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.pgferry.core.PgFerryException;
import io.pgferry.postgres.connect.Dsn;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.PostgresServer;
import io.pgferry.testkit.TestDatabase;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A change stream over TLS, end to end: each sslmode streams an insert, and the server's own view
 * ({@code pg_stat_ssl}, PostgreSQL docs "Monitoring Database Activity") says whether the walsender's connection is
 * encrypted. The shared test server has ssl=on and a certificate naming 127.0.0.1, signed by
 * {@link PostgresServer#caCertificate()}; its pg_hba.conf has {@code host} lines, which match plain and TLS
 * connections alike.
 */
@PgTest
@Tag("stream")
class TlsStreamTest {

    /** Slots are cluster-wide; the database name is unique per test, so tests running at once never share one. */
    static String slot(TestDatabase db) {
        return "tls_" + db.name();
    }

    /**
     * The database's URI without sslmode plus query parameters, values percent-encoded (not '+' for space, which
     * libpq URIs do not decode).
     */
    static String uriWith(TestDatabase db, String... keyValues) {
        StringBuilder s = new StringBuilder(db.uriWithoutSslmode());
        char sep = db.uriWithoutSslmode().indexOf('?') >= 0 ? '&' : '?';
        for (int i = 0; i < keyValues.length; i += 2) {
            s.append(sep)
                    .append(keyValues[i])
                    .append('=')
                    .append(URLEncoder.encode(keyValues[i + 1], StandardCharsets.UTF_8)
                            .replace("+", "%20"));
            sep = '&';
        }
        return s.toString();
    }

    @Test
    void verifyFullUriStreamsOverTls(TestDatabase db, PostgresServer server) throws Exception {
        String dsn = uriWith(
                db,
                "sslmode",
                "verify-full",
                "sslrootcert",
                server.caCertificate().toString());
        streamOneInsert(db, dsn, true);
    }

    @Test
    void verifyFullKeyValueDsnStreamsOverTls(TestDatabase db, PostgresServer server) throws Exception {
        String dsn = db.keyValueDsn() + " sslmode=verify-full sslrootcert='" + server.caCertificate() + "'";
        streamOneInsert(db, dsn, true);
    }

    @Test
    void requireStreamsOverTls(TestDatabase db) throws Exception {
        streamOneInsert(db, uriWith(db, "sslmode", "require"), true);
    }

    @Test
    void preferIsTheDefaultAndUsesTlsWhenTheServerOffersIt(TestDatabase db) throws Exception {
        assertThat(Dsn.parse(db.uriWithoutSslmode()).sslmode()).isEqualTo("prefer");
        streamOneInsert(db, db.uriWithoutSslmode(), true);
    }

    @Test
    void disableStreamsInPlainText(TestDatabase db) throws Exception {
        streamOneInsert(db, uriWith(db, "sslmode", "disable"), false);
    }

    @Test
    void verifyFullAgainstAnotherCaFailsStartOnOneLine(TestDatabase db, @TempDir Path dir) throws Exception {
        Path otherCa = selfSignedCa(dir);
        db.execute("CREATE TABLE t (id int PRIMARY KEY, v text)");
        String dsn = uriWith(db, "sslmode", "verify-full", "sslrootcert", otherCa.toString());
        PgFerryException e = startFails(db, dsn);
        assertThat(e.problem())
                .isEqualTo("TLS with 127.0.0.1:" + db.server().port() + " failed (sslmode=verify-full): the server's"
                        + " certificate is not signed by a CA in sslrootcert " + otherCa);
        assertThat(e.fix()).contains("sslrootcert");
        assertThat(e.isRetriable())
                .as("a certificate the CA did not sign will not change on retry")
                .isFalse();
        assertThat(ServerProbe.slots(db)).isZero();
        assertThat(ServerProbe.publications(db)).isZero();
    }

    @Test
    void verifyFullKeyValueDsnAgainstAnotherCaFails(TestDatabase db, @TempDir Path dir) throws Exception {
        Path otherCa = selfSignedCa(dir);
        db.execute("CREATE TABLE t (id int PRIMARY KEY, v text)");
        PgFerryException e = startFails(db, db.keyValueDsn() + " sslmode=verify-full sslrootcert='" + otherCa + "'");
        assertThat(e.problem()).contains("TLS").containsIgnoringCase("certificate");
        assertThat(e.fix()).contains("sslrootcert");
    }

    @Test
    void missingRootCertificateFileFailsStartOnOneLine(TestDatabase db, @TempDir Path dir) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY, v text)");
        Path missing = dir.resolve("no-such-ca.crt");
        PgFerryException e = startFails(db, uriWith(db, "sslmode", "verify-full", "sslrootcert", missing.toString()));
        assertThat(e.getMessage()).contains("TLS").contains(missing.toString());
        assertThat(e.fix()).contains("sslrootcert");
        assertThat(e.isRetriable()).isFalse();
    }

    /**
     * libpq: with hostaddr given, the TCP connection goes to hostaddr but verify-full checks the certificate against
     * host (libpq docs, "Parameter Key Words", hostaddr). The test certificate names localhost and 127.0.0.1.
     */
    @Test
    void verifyFullWithHostaddrChecksTheCertificateAgainstHost(TestDatabase db, PostgresServer server)
            throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY, v text)");
        String wrongName = "pgferry-not-in-the-certificate.invalid";
        PgFerryException e = startFails(db, hostaddrDsn(db, server, wrongName));
        assertThat(e.problem())
                .isEqualTo("TLS with " + wrongName + ":" + server.port() + " failed (sslmode=verify-full): the"
                        + " server's certificate does not name that host");
        assertThat(e.fix()).contains("subjectAltName");
        assertThat(e.isRetriable()).isFalse();
    }

    @Test
    void verifyFullWithHostaddrStreamsWhenTheCertificateNamesHost(TestDatabase db, PostgresServer server)
            throws Exception {
        streamOneInsert(db, hostaddrDsn(db, server, "localhost"), true);
    }

    private static String hostaddrDsn(TestDatabase db, PostgresServer server, String host) {
        return "host=" + host + " hostaddr=127.0.0.1 port=" + server.port() + " dbname=" + db.name()
                + " user=postgres password='" + server.password() + "' sslmode=verify-full sslrootcert='"
                + server.caCertificate() + "'";
    }

    /** Starts a stream on {@code dsn}, which must fail; checks the error is one line and nothing was created. */
    static PgFerryException startFails(TestDatabase db, String dsn) throws SQLException {
        StreamConfig config = StreamConfig.builder()
                .source(dsn)
                .publication("p")
                .slot(slot(db))
                .tables("public.t")
                .build();
        try (ChangeStream stream = ChangeStream.create(config, new Collector())) {
            PgFerryException e = catchThrowableOfType(PgFerryException.class, stream::start);
            assertThat(e).as("start() should fail").isNotNull();
            assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("\r");
            assertThat(e.fix()).isNotBlank();
            assertThat(stream.state()).isEqualTo(ChangeStream.State.STOPPED);
            assertThat(stream.lastError()).isSameAs(e);
            assertThat(ServerProbe.slots(db)).isZero();
            return e;
        }
    }

    /**
     * Streams one insert through a stream on {@code dsn}, then checks from the server side that the walsender
     * serving the slot (found through {@code pg_replication_slots.active_pid}, listed in
     * {@code pg_stat_replication}) and the stream's ordinary connection are, or are not, on TLS.
     */
    private static void streamOneInsert(TestDatabase db, String dsn, boolean tls) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY, v text)");
        String slot = slot(db);
        StreamConfig config = StreamConfig.builder()
                .source(dsn)
                .publication("p")
                .slot(slot)
                .tables("public.t")
                .build();
        Collector c = new Collector();
        try (ChangeStream stream = ChangeStream.create(config, c)) {
            stream.start();
            db.execute("INSERT INTO t VALUES (1, 'over the wire')");
            List<Collector.Change> changes = c.awaitChanges(1);
            assertThat(changes).singleElement().satisfies(ch -> {
                assertThat(ch.op()).isEqualTo("insert");
                assertThat(ch.after()).containsExactly("1", "over the wire");
            });
            // The walsender is streaming now: the slot is held by it until the stream stops.
            String walsender = db.queryString("SELECT ssl.ssl::text || ' ' || coalesce(ssl.version, '-')"
                    + " FROM pg_catalog.pg_replication_slots sl"
                    + " JOIN pg_catalog.pg_stat_replication r ON r.pid = sl.active_pid"
                    + " JOIN pg_catalog.pg_stat_activity a ON a.pid = sl.active_pid"
                    + " JOIN pg_catalog.pg_stat_ssl ssl ON ssl.pid = sl.active_pid"
                    + " WHERE sl.slot_name = '" + slot + "' AND a.backend_type = 'walsender'");
            if (tls) {
                assertThat(walsender).as("walsender ssl and TLS version").startsWith("true TLSv1.");
            } else {
                assertThat(walsender).isEqualTo("false -");
            }
            // Every connection the stream holds (walsender and the catalog connection) carries its application name.
            long streamConnections = db.queryLong("SELECT count(*) FROM pg_catalog.pg_stat_activity a"
                    + " JOIN pg_catalog.pg_stat_ssl ssl ON ssl.pid = a.pid"
                    + " WHERE a.datname = current_database() AND a.application_name = 'pgferry'"
                    + " AND ssl.ssl = " + tls);
            assertThat(streamConnections).isGreaterThanOrEqualTo(2);
            long otherwise = db.queryLong("SELECT count(*) FROM pg_catalog.pg_stat_activity a"
                    + " JOIN pg_catalog.pg_stat_ssl ssl ON ssl.pid = a.pid"
                    + " WHERE a.datname = current_database() AND a.application_name = 'pgferry'"
                    + " AND ssl.ssl <> " + tls);
            assertThat(otherwise).isZero();
            assertThat(stream.lastError()).isNull();
        }
    }

    /** A self-signed CA certificate that did not sign the server's certificate, made with the openssl program. */
    static Path selfSignedCa(Path dir) throws IOException, InterruptedException {
        Path key = dir.resolve("other-ca.key");
        Path cert = dir.resolve("other-ca.crt");
        Process p = new ProcessBuilder(
                        "openssl",
                        "req",
                        "-x509",
                        "-new",
                        "-nodes",
                        "-newkey",
                        "rsa:2048",
                        "-keyout",
                        key.toString(),
                        "-out",
                        cert.toString(),
                        "-days",
                        "2",
                        "-subj",
                        "/CN=pgferry other test CA")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("openssl.log").toFile())
                .start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("openssl did not finish within 60 s");
        }
        if (p.exitValue() != 0) {
            throw new IOException(
                    "openssl failed: " + Files.readString(dir.resolve("openssl.log"), StandardCharsets.UTF_8));
        }
        return cert;
    }
}
