package io.pgferry.embedded;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

/** The last lines of a program's output, folded into one line so that an error message stays a single line. */
final class LogTail {
    private LogTail() {}

    static String oneLine(String text, int lines) {
        String[] all = text.strip().split("\\R");
        String tail = Arrays.stream(all, Math.max(0, all.length - lines), all.length)
                .map(String::strip)
                .filter(line -> !line.isEmpty())
                .collect(Collectors.joining(" | "));
        return tail.isEmpty() ? "(no output)" : tail;
    }

    static String oneLine(Path file, int lines) {
        return oneLine(read(file), lines);
    }

    /** The whole file, or an empty string when it does not exist yet; undecodable bytes become U+FFFD. */
    static String read(Path file) {
        try {
            return Files.exists(file) ? new String(Files.readAllBytes(file), StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }
}
