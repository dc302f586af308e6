package io.pgferry.scan.alert;

import io.pgferry.scan.Finding;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Findings appended to a file, one JSON object per line ({@link FindingJson}); {@link #flush} forces them to disk.
 * A line torn by a crash is completed by a newline on the next open, so every later line parses.
 */
public final class JsonLinesChannel implements Channel {
    private final Path path;
    private final FileChannel file;
    private final StringBuilder pending = new StringBuilder();

    public JsonLinesChannel(Path path) throws IOException {
        this.path = path;
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        this.file =
                FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
        file.position(file.size());
        if (file.size() > 0 && !endsWithNewline()) {
            file.write(ByteBuffer.wrap(new byte[] {'\n'}));
        }
    }

    private boolean endsWithNewline() throws IOException {
        ByteBuffer last = ByteBuffer.allocate(1);
        file.read(last, file.size() - 1);
        return last.get(0) == '\n';
    }

    @Override
    public String name() {
        return "jsonl";
    }

    public Path path() {
        return path;
    }

    @Override
    public void deliver(List<Finding> findings) {
        for (Finding f : findings) {
            pending.append(FindingJson.of(f)).append('\n');
        }
    }

    @Override
    public void flush() throws IOException {
        if (pending.length() > 0) {
            ByteBuffer b = ByteBuffer.wrap(pending.toString().getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) {
                file.write(b);
            }
            pending.setLength(0);
            file.force(false);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            flush();
        } finally {
            file.close();
        }
    }
}
