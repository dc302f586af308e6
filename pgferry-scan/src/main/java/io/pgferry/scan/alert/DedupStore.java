package io.pgferry.scan.alert;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Which findings were reported within the deduplication window, kept in a file so that a restart does not alert
 * again. An entry is a SHA-256 of the finding's {@link io.pgferry.scan.Finding#dedupKey() dedup key} (which holds
 * only a keyed fingerprint of the value) and when it expires.
 *
 * <p>Entries become durable in {@link #commit}, which the scan calls after the findings themselves are durable at
 * every channel and before it confirms the position: a crash in between re-delivers (at-least-once), never loses. A
 * failed delivery {@link #rollback rolls back} what it marked, so a retried transaction is not taken for a repeat.
 * Not thread-safe: the scan's thread alone uses it.
 */
public final class DedupStore implements AutoCloseable {
    private final Path file;
    private final Duration window;
    private final Map<String, Long> expiries = new HashMap<>();
    private final List<String> pending = new ArrayList<>();
    private final MessageDigest sha256;
    private FileChannel out;
    private long lines;

    /**
     * @param window how long a finding suppresses its repeats; zero disables deduplication (nothing is stored)
     */
    public DedupStore(Path file, Duration window) throws IOException {
        this.file = file;
        this.window = window;
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
        }
        if (!window.isZero()) {
            load(Instant.now());
        }
    }

    private void load(Instant now) throws IOException {
        if (Files.exists(file)) {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                int sp = line.indexOf(' ');
                if (sp <= 0) {
                    continue; // a line torn by a crash: its finding was delivered, at worst it repeats once
                }
                try {
                    long expiry = Long.parseLong(line.substring(sp + 1));
                    if (expiry > now.getEpochSecond()) {
                        expiries.merge(line.substring(0, sp), expiry, Math::max);
                    }
                } catch (NumberFormatException e) {
                    // torn, as above
                }
            }
        }
        rewrite();
    }

    /** Rewrites the file with the live entries only, atomically. */
    private void rewrite() throws IOException {
        if (out != null) {
            out.close();
        }
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            for (Map.Entry<String, Long> e : expiries.entrySet()) {
                w.write(e.getKey() + " " + e.getValue() + "\n");
            }
        }
        try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            c.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        out = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        lines = expiries.size();
    }

    /**
     * True when the finding was not reported within the window (it is then marked, pending {@link #commit}); always
     * true when deduplication is off.
     */
    public boolean firstSeen(String dedupKey, Instant now) {
        if (window.isZero()) {
            return true;
        }
        String h = HexFormat.of().formatHex(sha256.digest(dedupKey.getBytes(StandardCharsets.UTF_8)), 0, 16);
        Long expiry = expiries.get(h);
        if (expiry != null && expiry > now.getEpochSecond()) {
            return false;
        }
        expiries.put(h, now.plus(window).getEpochSecond());
        pending.add(h);
        return true;
    }

    /** Makes the marks since the last commit durable (see the class comment). */
    public void commit() throws IOException {
        if (pending.isEmpty()) {
            return;
        }
        StringBuilder b = new StringBuilder(pending.size() * 48);
        for (String h : pending) {
            b.append(h).append(' ').append(expiries.get(h)).append('\n');
        }
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(b.toString().getBytes(StandardCharsets.UTF_8));
        while (buf.hasRemaining()) {
            out.write(buf);
        }
        out.force(false);
        lines += pending.size();
        pending.clear();
        if (lines > 10_000 && lines > 2L * expiries.size()) {
            expiries.values().removeIf(e -> e <= Instant.now().getEpochSecond());
            rewrite();
        }
    }

    /** Forgets the marks since the last commit: their findings were not delivered. */
    public void rollback() {
        for (String h : pending) {
            expiries.remove(h);
        }
        pending.clear();
    }

    @Override
    public void close() throws IOException {
        if (out != null) {
            out.close();
        }
    }
}
