package io.pgferry.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away certificate authority, a server certificate it signs for 127.0.0.1 and localhost, and a client
 * certificate it signs (common name {@code pgferry-client}) packed with its key in a PKCS#12 file, made with the
 * {@code openssl} program (OpenSSL 3, as Debian 12 has). For TLS tests of the destinations' servers.
 *
 * @param clientKeyStorePassword the PKCS#12 file's password; never log it
 */
public record TestCertificates(
        Path caCertificate,
        Path serverCertificate,
        Path serverKey,
        Path clientKeyStore,
        String clientKeyStorePassword) {

    private static final String CURVE = "ec_paramgen_curve:prime256v1";

    /** Writes the files into {@code directory}, which must exist; the CA's key is deleted once both are signed. */
    public static TestCertificates generate(Path directory) {
        Path caKey = directory.resolve("ca.key");
        Path ca = directory.resolve("ca.crt");
        Path serverKey = directory.resolve("server.key");
        Path server = directory.resolve("server.crt");
        Path clientKey = directory.resolve("client.key");
        Path client = directory.resolve("client.crt");
        Path keyStore = directory.resolve("client.p12");
        byte[] random = new byte[9];
        new SecureRandom().nextBytes(random);
        String password = HexFormat.of().formatHex(random);
        certificate(
                directory,
                caKey,
                ca,
                "/CN=pgferry test CA",
                "-addext",
                "basicConstraints=critical,CA:TRUE",
                "-addext",
                "keyUsage=critical,keyCertSign,cRLSign");
        // req -x509 with -CA signs the new key's certificate with the CA at once (OpenSSL 3.0).
        certificate(
                directory,
                serverKey,
                server,
                "/CN=127.0.0.1",
                "-CA",
                ca,
                "-CAkey",
                caKey,
                "-addext",
                "subjectAltName=IP:127.0.0.1,DNS:localhost",
                "-addext",
                "extendedKeyUsage=serverAuth");
        certificate(
                directory,
                clientKey,
                client,
                "/CN=pgferry-client",
                "-CA",
                ca,
                "-CAkey",
                caKey,
                "-addext",
                "extendedKeyUsage=clientAuth");
        openssl(
                directory,
                "pkcs12",
                "-export",
                "-in",
                client,
                "-inkey",
                clientKey,
                "-name",
                "pgferry-client",
                "-out",
                keyStore,
                "-passout",
                "pass:" + password);
        try {
            Files.delete(caKey);
            Files.delete(clientKey);
        } catch (IOException e) {
            throw new IllegalStateException("cannot delete a key in " + directory + ": " + e, e);
        }
        return new TestCertificates(ca, server, serverKey, keyStore, password);
    }

    /** A new EC key in {@code key} and its certificate for {@code subject} in {@code certificate}, ten years long. */
    private static void certificate(Path directory, Path key, Path certificate, String subject, Object... more) {
        List<Object> arguments = new ArrayList<>(List.of(
                "req", "-x509", "-newkey", "ec", "-pkeyopt", CURVE, "-nodes", "-days", "3650", "-subj", subject));
        arguments.addAll(List.of("-keyout", key, "-out", certificate));
        arguments.addAll(List.of(more));
        openssl(directory, arguments.toArray());
    }

    private static void openssl(Path directory, Object... arguments) {
        List<String> command = new ArrayList<>();
        command.add("openssl");
        for (Object a : arguments) {
            command.add(a.toString());
        }
        Path log = directory.resolve("openssl.log");
        try {
            Process p = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("openssl " + arguments[0] + " did not finish within 60 s");
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException("openssl " + arguments[0] + " failed: "
                        + Files.readString(log, StandardCharsets.UTF_8).strip());
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run openssl (Debian's openssl package): " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running openssl", e);
        }
    }
}
