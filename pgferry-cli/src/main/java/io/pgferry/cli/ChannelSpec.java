package io.pgferry.cli;

import io.pgferry.core.PgFerryException;
import io.pgferry.scan.alert.Channel;
import io.pgferry.scan.alert.JsonLinesChannel;
import io.pgferry.scan.alert.LogChannel;
import io.pgferry.scan.alert.StdoutChannel;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code --channel stdout | log | jsonl:PATH}: where {@code pgferry scan} sends findings. */
final class ChannelSpec {
    private ChannelSpec() {}

    /** Checks every spec before anything is opened; throws a fatal error naming the bad one. */
    static void validate(List<String> specs) {
        for (String s : specs) {
            if (!s.equals("stdout") && !s.equals("log") && !(s.startsWith("jsonl:") && s.length() > 6)) {
                throw PgFerryException.fatal(
                        "unknown channel '" + s + "'", "give --channel stdout, log or jsonl:/path/to/findings.jsonl");
            }
        }
        if (specs.stream().distinct().count() < specs.size()) {
            throw PgFerryException.fatal("a channel is given twice", "give each --channel once");
        }
    }

    /** Opens the channels; on a failure closes those already open. */
    static List<Channel> open(List<String> specs) {
        List<Channel> out = new ArrayList<>();
        try {
            for (String s : specs) {
                out.add(
                        switch (s) {
                            case "stdout" -> new StdoutChannel(new FileOutputStream(FileDescriptor.out));
                            case "log" -> new LogChannel();
                            default -> new JsonLinesChannel(Path.of(s.substring("jsonl:".length())));
                        });
            }
            return out;
        } catch (IOException e) {
            for (Channel c : out) {
                try {
                    c.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw PgFerryException.fatal(
                    "cannot open a findings channel: " + e.getMessage(), "check the path and permissions", e);
        }
    }
}
