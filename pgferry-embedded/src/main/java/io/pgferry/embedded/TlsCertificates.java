package io.pgferry.embedded;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A throw-away certificate authority and a server certificate signed by it, made with the {@code openssl} program.
 * The server certificate names 127.0.0.1, ::1 and localhost, so clients can use sslmode=verify-full against the CA.
 *
 * <p>PostgreSQL requires the key file to be owned by the server's user with mode 0600 (or owned by root with 0640),
 * see the PostgreSQL docs, "Secure TCP/IP Connections with SSL".
 */
record TlsCertificates(Path caCertificate, Path serverCertificate, Path serverKey) {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    // Our own config file: the system one may add extensions that clash with ours or be missing entirely.
    private static final String CONFIG = String.join(
            "\n",
            "[req]",
            "distinguished_name = dn",
            "prompt = no",
            "[dn]",
            "CN = pgferry embedded PostgreSQL CA",
            "[v3_ca]",
            "basicConstraints = critical,CA:TRUE",
            "keyUsage = critical,keyCertSign,cRLSign",
            "subjectKeyIdentifier = hash",
            "[v3_server]",
            "basicConstraints = critical,CA:FALSE",
            "keyUsage = critical,digitalSignature,keyEncipherment",
            "extendedKeyUsage = serverAuth",
            "subjectAltName = IP:127.0.0.1,IP:0:0:0:0:0:0:0:1,DNS:localhost",
            "subjectKeyIdentifier = hash",
            "authorityKeyIdentifier = keyid",
            "");

    static TlsCertificates generate(Path directory, PrivilegeDrop drop) {
        try {
            Files.createDirectories(directory);
            Path config = Files.writeString(directory.resolve("openssl.cnf"), CONFIG, StandardCharsets.UTF_8);
            Path caKey = directory.resolve("ca.key");
            Path ca = directory.resolve("ca.crt");
            Path key = directory.resolve("server.key");
            Path request = directory.resolve("server.csr");
            Path certificate = directory.resolve("server.crt");
            openssl(
                    "req",
                    "-config",
                    config.toString(),
                    "-x509",
                    "-new",
                    "-nodes",
                    "-newkey",
                    "ec",
                    "-pkeyopt",
                    "ec_paramgen_curve:prime256v1",
                    "-keyout",
                    caKey.toString(),
                    "-out",
                    ca.toString(),
                    "-days",
                    "3650",
                    "-extensions",
                    "v3_ca");
            openssl(
                    "req",
                    "-config",
                    config.toString(),
                    "-new",
                    "-nodes",
                    "-newkey",
                    "ec",
                    "-pkeyopt",
                    "ec_paramgen_curve:prime256v1",
                    "-keyout",
                    key.toString(),
                    "-out",
                    request.toString(),
                    "-subj",
                    "/CN=127.0.0.1");
            openssl(
                    "x509",
                    "-req",
                    "-in",
                    request.toString(),
                    "-CA",
                    ca.toString(),
                    "-CAkey",
                    caKey.toString(),
                    "-set_serial",
                    Long.toString(new SecureRandom().nextLong() & Long.MAX_VALUE),
                    "-days",
                    "3650",
                    "-extfile",
                    config.toString(),
                    "-extensions",
                    "v3_server",
                    "-out",
                    certificate.toString());
            // Nothing else is ever signed with this CA; dropping its key makes the certificate useless to others.
            Files.delete(caKey);
            Files.delete(request);
            Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
            drop.handOver(key);
            drop.handOver(certificate);
            return new TlsCertificates(ca, certificate, key);
        } catch (IOException e) {
            throw new EmbeddedPostgresException("cannot write TLS files into " + directory + ": " + e, e);
        }
    }

    private static void openssl(String... arguments) {
        List<String> command = new ArrayList<>();
        command.add("openssl");
        command.addAll(List.of(arguments));
        ExternalCommand.run(command, TIMEOUT);
    }
}
