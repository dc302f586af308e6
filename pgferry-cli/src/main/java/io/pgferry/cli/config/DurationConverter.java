package io.pgferry.cli.config;

import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine;

/** Parses durations such as {@code 250ms}, {@code 30s}, {@code 5min}, {@code 2h}, or ISO-8601 ({@code PT30S}). */
public final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        try {
            if (v.startsWith("pt") || v.startsWith("p")) {
                return Duration.parse(value.trim());
            }
            if (v.endsWith("ms")) {
                return Duration.ofMillis(
                        Long.parseLong(v.substring(0, v.length() - 2).trim()));
            }
            if (v.endsWith("min")) {
                return Duration.ofMinutes(
                        Long.parseLong(v.substring(0, v.length() - 3).trim()));
            }
            if (v.endsWith("m")) {
                return Duration.ofMinutes(
                        Long.parseLong(v.substring(0, v.length() - 1).trim()));
            }
            if (v.endsWith("h")) {
                return Duration.ofHours(
                        Long.parseLong(v.substring(0, v.length() - 1).trim()));
            }
            if (v.endsWith("s")) {
                return Duration.ofSeconds(
                        Long.parseLong(v.substring(0, v.length() - 1).trim()));
            }
            return Duration.ofSeconds(Long.parseLong(v));
        } catch (RuntimeException e) {
            throw new CommandLine.TypeConversionException(
                    "'" + value + "' is not a duration: write for example 250ms, 30s, 5min or 2h");
        }
    }
}
