package io.pgferry.scan.alert;

import io.pgferry.scan.Finding;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Findings for people, one line each, on standard output (or any stream). */
public final class StdoutChannel implements Channel {
    private final Writer out;

    public StdoutChannel(OutputStream out) {
        this.out = new OutputStreamWriter(out, StandardCharsets.UTF_8);
    }

    @Override
    public String name() {
        return "stdout";
    }

    @Override
    public void deliver(List<Finding> findings) throws IOException {
        for (Finding f : findings) {
            out.write(FindingText.of(f));
            out.write('\n');
        }
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.flush();
    }
}
