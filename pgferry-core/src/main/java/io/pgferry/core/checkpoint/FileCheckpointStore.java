package io.pgferry.core.checkpoint;

import io.pgferry.core.Lsn;
import io.pgferry.core.PgFerryException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * A checkpoint in a small text file, replaced atomically: the new content goes to a sibling temporary file which is
 * fsynced, renamed over the old one, and the directory fsynced, so a reader sees the old or the new checkpoint, never
 * a torn one.
 *
 * <p>Format (UTF-8, one key per line): {@code pgferry-checkpoint 1}, {@code lsn=X/Y}, {@code fingerprint=...}, and
 * {@code output_length=N} when the checkpoint has an output length. Readers skip keys they do not know, so a file
 * without {@code output_length} (written before it existed) loads with none, and an older pgferry reading a newer file
 * ignores it.
 */
public final class FileCheckpointStore implements CheckpointStore {
    private static final String HEADER = "pgferry-checkpoint 1";
    private static final String OUTPUT_LENGTH = "output_length=";

    private final Path file;

    public FileCheckpointStore(Path file) {
        this.file = file.toAbsolutePath();
    }

    public Path file() {
        return file;
    }

    @Override
    public Optional<Checkpoint> load() {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw PgFerryException.fatal(
                    "cannot read checkpoint file " + file + ": " + e.getMessage(), "check the file's permissions", e);
        }
        String[] lines = text.split("\n");
        String lsn = null;
        String fingerprint = null;
        String outputLength = null;
        for (String line : lines) {
            if (line.startsWith("lsn=")) {
                lsn = line.substring(4);
            } else if (line.startsWith("fingerprint=")) {
                fingerprint = line.substring(12);
            } else if (line.startsWith(OUTPUT_LENGTH)) {
                outputLength = line.substring(OUTPUT_LENGTH.length());
            }
        }
        if (lines.length == 0 || !HEADER.equals(lines[0]) || lsn == null || fingerprint == null) {
            throw PgFerryException.fatal(
                    "checkpoint file " + file + " is not a pgferry checkpoint",
                    "use this stream's own checkpoint file, or delete this one to start from the slot's position");
        }
        try {
            Checkpoint checkpoint = new Checkpoint(Lsn.parse(lsn), fingerprint);
            if (outputLength != null) {
                checkpoint = checkpoint.withOutputLength(parseLength(outputLength));
            }
            return Optional.of(checkpoint);
        } catch (IllegalArgumentException e) {
            throw PgFerryException.fatal(
                    "checkpoint file " + file + " holds " + e.getMessage(),
                    "delete it to start from the slot's position",
                    e);
        }
    }

    private long parseLength(String text) {
        try {
            long n = Long.parseLong(text);
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // Reported below, as a negative number is.
        }
        throw new IllegalArgumentException("output length '" + text + "', not a number of bytes");
    }

    @Override
    public void save(Checkpoint checkpoint) {
        String content = HEADER + "\nlsn=" + checkpoint.lsn() + "\nfingerprint=" + checkpoint.fingerprint() + "\n";
        if (checkpoint.outputLength().isPresent()) {
            content += OUTPUT_LENGTH + checkpoint.outputLength().getAsLong() + "\n";
        }
        Path dir = file.getParent();
        Path tmp = dir.resolve(file.getFileName() + ".tmp");
        try {
            Files.createDirectories(dir);
            try (FileChannel ch = FileChannel.open(
                    tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8));
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw PgFerryException.fatal(
                        "the file system of " + dir + " cannot rename atomically",
                        "put the checkpoint on a local file system",
                        e);
            }
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true);
            }
        } catch (IOException e) {
            throw PgFerryException.fatal(
                    "cannot write checkpoint file " + file + ": " + e.getMessage(),
                    "check free space and permissions of " + dir,
                    e);
        }
    }

    @Override
    public String describe() {
        return "file " + file;
    }
}
