package io.pgferry.testkit;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A password as a SCRAM-SHA-256 secret of one iteration, to store whole with {@code PASSWORD '...'}: PostgreSQL keeps
 * a password given already encrypted as it is (docs, "CREATE ROLE", ENCRYPTED). Authentication stays SCRAM with the
 * same password, so a wrong one still fails; but the key derivation, 4,096 iterations by default at both ends of every
 * connection (some 8 ms of CPU on this project's CI machines), costs one. The tests open thousands of connections on
 * two busy cores. The format is that of {@code pg_authid.rolpassword}: {@code
 * SCRAM-SHA-256$iterations:salt$StoredKey:ServerKey} (RFC 5802, RFC 7677).
 */
final class ScramSecret {
    private static final SecureRandom RANDOM = new SecureRandom();

    private ScramSecret() {}

    static String of(String password) {
        try {
            byte[] salt = new byte[16];
            RANDOM.nextBytes(salt);
            int iterations = 1;
            byte[] salted = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                    .generateSecret(new PBEKeySpec(password.toCharArray(), salt, iterations, 256))
                    .getEncoded();
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(salted, "HmacSHA256"));
            byte[] clientKey = mac.doFinal("Client Key".getBytes(StandardCharsets.US_ASCII));
            byte[] serverKey = mac.doFinal("Server Key".getBytes(StandardCharsets.US_ASCII));
            byte[] storedKey = MessageDigest.getInstance("SHA-256").digest(clientKey);
            Base64.Encoder b64 = Base64.getEncoder();
            return "SCRAM-SHA-256$" + iterations + ":" + b64.encodeToString(salt) + "$" + b64.encodeToString(storedKey)
                    + ":" + b64.encodeToString(serverKey);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 and PBKDF2 are part of every JDK", e);
        }
    }
}
