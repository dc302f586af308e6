package io.pgferry.scan;

import io.pgferry.core.PgFerryException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Keyed fingerprints of matched values: HMAC-SHA-256 under a secret of this installation, so that a fingerprint in a
 * finding, a log or the deduplication store cannot be turned back into the value by trying candidates (a card number
 * has few enough to try them all against a plain hash). Thread-safe.
 */
public final class Fingerprints {
    private static final String ALGORITHM = "HmacSHA256";
    private static final int SECRET_BYTES = 32;
    /** 128 bits of the MAC: ample against collisions within one dedup window, and a shorter line. */
    private static final int KEPT_BYTES = 16;

    private final SecretKeySpec key;
    private final ThreadLocal<Mac> macs;

    public Fingerprints(byte[] secret) {
        if (secret.length < 16) {
            throw new IllegalArgumentException("a fingerprint secret needs at least 16 bytes");
        }
        this.key = new SecretKeySpec(secret.clone(), ALGORITHM);
        this.macs = ThreadLocal.withInitial(this::newMac);
    }

    /**
     * The secret kept in {@code file}, created (32 random bytes, readable by the owner only) on first use.
     *
     * @throws PgFerryException when the file cannot be read or created
     */
    public static Fingerprints fromFile(Path file) {
        try {
            if (!Files.exists(file)) {
                create(file);
            }
            byte[] secret = Files.readAllBytes(file);
            if (secret.length < 16) {
                throw PgFerryException.fatal(
                        "the fingerprint secret " + file + " holds " + secret.length + " bytes, fewer than 16",
                        "delete it to have a new one made (findings already deduplicated may then repeat once)");
            }
            return new Fingerprints(secret);
        } catch (IOException e) {
            throw PgFerryException.fatal(
                    "cannot read or create the fingerprint secret " + file + ": " + e.getMessage(),
                    "check that the state directory is writable",
                    e);
        }
    }

    private static void create(Path file) throws IOException {
        byte[] secret = new byte[SECRET_BYTES];
        new SecureRandom().nextBytes(secret);
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(tmp, secret, StandardOpenOption.WRITE, StandardOpenOption.SYNC);
        try {
            Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException e) {
            Files.deleteIfExists(tmp);
        }
    }

    /** The fingerprint of a value matched by a rule, in hex. */
    public String of(String ruleId, String matched) {
        Mac mac = macs.get();
        mac.update(ruleId.getBytes(StandardCharsets.UTF_8));
        mac.update((byte) 0);
        byte[] full = mac.doFinal(matched.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(full, 0, KEPT_BYTES);
    }

    private Mac newMac() {
        try {
            Mac m = Mac.getInstance(ALGORITHM);
            m.init(key);
            return m;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this Java runtime", e);
        }
    }
}
