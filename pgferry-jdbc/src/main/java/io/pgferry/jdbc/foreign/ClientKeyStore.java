package io.pgferry.jdbc.foreign;

import io.pgferry.core.PgFerryException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Collections;
import java.util.Properties;

/**
 * The client certificate of a MySQL/MariaDB target: a PKCS#12 or JKS key store that MariaDB Connector/J presents when
 * the server asks for one ({@code REQUIRE X509}). The store is opened once at start-up, so that a wrong path or
 * password, or a store without a key, is a clear error before anything is created, rather than a failed handshake
 * deep in the copy.
 */
final class ClientKeyStore {
    private static final String FIX_PKCS12 =
            "make one with: openssl pkcs12 -export -in client-cert.pem -inkey client-key.pem -out client.p12";

    private ClientKeyStore() {}

    /**
     * Opens {@code file} with the password in {@code passwordFile} (none when null), checks that it holds a key with
     * its certificate, and sets the driver's key store properties in {@code properties}.
     */
    static void check(Properties properties, String file, String passwordFile) {
        if (!Files.isRegularFile(Path.of(file)) || !Files.isReadable(Path.of(file))) {
            throw PgFerryException.fatal(
                    "could not open the client key store " + file + " given by sslkeystore (no readable file)",
                    "check the path and its permissions, or " + FIX_PKCS12);
        }
        String password = passwordFile == null ? "" : JdbcTargetUri.readSecret(passwordFile, "key store password file");
        KeyStore store;
        try {
            // Java reads the store's type (PKCS#12 or JKS) from the file itself.
            store = KeyStore.getInstance(Path.of(file).toFile(), password.toCharArray());
        } catch (IOException e) {
            boolean wrongPassword = e.getCause() instanceof java.security.UnrecoverableKeyException
                    || String.valueOf(e.getMessage()).contains("password");
            throw PgFerryException.fatal(
                    "could not open the client key store " + file + " given by sslkeystore ("
                            + (wrongPassword ? "wrong password" : e.getClass().getSimpleName()) + ")",
                    wrongPassword
                            ? "put the store's password in the file named by sslkeystore_password_file"
                            : "check the path and its permissions, or " + FIX_PKCS12,
                    e);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw PgFerryException.fatal(
                    "the client key store " + file + " given by sslkeystore is neither PKCS#12 nor JKS", FIX_PKCS12, e);
        }
        boolean hasKey;
        try {
            hasKey = Collections.list(store.aliases()).stream().anyMatch(alias -> isKey(store, alias));
        } catch (GeneralSecurityException e) {
            throw PgFerryException.fatal("could not list the client key store " + file, FIX_PKCS12, e);
        }
        if (!hasKey) {
            throw PgFerryException.fatal(
                    "the client key store " + file + " given by sslkeystore holds no private key with a certificate",
                    FIX_PKCS12);
        }
        properties.setProperty("keyStore", Path.of(file).toAbsolutePath().toString());
        properties.setProperty("keyStorePassword", password);
        properties.setProperty("keyStoreType", store.getType());
    }

    private static boolean isKey(KeyStore store, String alias) {
        try {
            return store.isKeyEntry(alias) && store.getCertificate(alias) != null;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
