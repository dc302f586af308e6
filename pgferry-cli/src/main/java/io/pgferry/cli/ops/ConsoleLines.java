package io.pgferry.cli.ops;

import java.io.PrintWriter;
import java.io.Writer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What commands print on standard error (progress, summaries, one-line errors). As text it passes through untouched;
 * under {@code --log-format json} each line becomes a log event of the logger {@code pgferry} (INFO, or ERROR for
 * {@code pgferry: error: ...}), so standard error holds nothing but JSON objects, one per line, for a collector.
 * {@link LogConfiguration} keeps that logger at INFO whatever {@code --log-level} says: these lines were always shown.
 */
public final class ConsoleLines extends Writer {
    private static final Logger CONSOLE = LoggerFactory.getLogger("pgferry");
    private static final String PREFIX = "pgferry: ";

    private final PrintWriter err;
    private final StringBuilder line = new StringBuilder();
    private volatile boolean json;

    public ConsoleLines(PrintWriter err) {
        this.err = err;
    }

    /** Switches between text and JSON; a partial line is kept for the next write. */
    public void json(boolean on) {
        synchronized (lock) {
            json = on;
        }
    }

    @Override
    public void write(char[] buf, int off, int len) {
        synchronized (lock) {
            if (!json) {
                err.write(buf, off, len);
                return;
            }
            for (int i = off; i < off + len; i++) {
                char c = buf[i];
                if (c == '\n' || c == '\r') {
                    emit();
                } else {
                    line.append(c);
                }
            }
        }
    }

    private void emit() {
        if (line.length() == 0) {
            return;
        }
        String text = line.toString();
        line.setLength(0);
        String message = text.startsWith(PREFIX) ? text.substring(PREFIX.length()) : text;
        if (message.startsWith("error: ")) {
            CONSOLE.error(message.substring("error: ".length()));
        } else {
            CONSOLE.info(message);
        }
    }

    @Override
    public void flush() {
        synchronized (lock) {
            if (!json) {
                err.flush();
            }
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (json) {
                emit();
            }
            err.flush();
        }
    }
}
