package io.pgferry.cli.config;

import java.util.Locale;
import picocli.CommandLine;

/** Parses sizes such as {@code 64MB}, {@code 1GiB}, {@code 512kB} or plain bytes (powers of 1024, as PostgreSQL). */
public final class SizeConverter implements CommandLine.ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
        String v = value.trim().toUpperCase(Locale.ROOT).replace("IB", "B");
        long unit = 1;
        String digits = v;
        for (String[] u : new String[][] {{"KB", "1024"}, {"MB", "1048576"}, {"GB", "1073741824"}, {"B", "1"}}) {
            if (v.endsWith(u[0])) {
                unit = Long.parseLong(u[1]);
                digits = v.substring(0, v.length() - u[0].length()).trim();
                break;
            }
        }
        try {
            long n = Long.parseLong(digits);
            if (n < 0) {
                throw new NumberFormatException();
            }
            return Math.multiplyExact(n, unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new CommandLine.TypeConversionException(
                    "'" + value + "' is not a size: write a number with kB, MB or GB, for example 64MB");
        }
    }
}
