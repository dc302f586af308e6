package io.pgferry.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * Command line of {@link StreamBenchmark}.
 *
 * @param big also run scenario C (10,000,000 rows in one transaction, consumers limited to a 256 MB heap)
 * @param bigOnly run scenario C alone
 * @param source the database to use (a DSN); null starts an embedded PostgreSQL
 * @param repetitions measurements per consumer and scenario; the table shows the median
 * @param launcher the {@code pgferry} launcher script
 * @param cliJar the CLI jar the launcher runs (null: the launcher's default)
 * @param recvlogical the pg_recvlogical program
 * @param timeout the longest one consumer run may take before it counts as failed
 * @param metrics also run the CLI with {@code --http} scraped every second, to measure what metrics cost
 */
record BenchOptions(
        boolean big,
        boolean bigOnly,
        String source,
        int repetitions,
        Path launcher,
        Path cliJar,
        String recvlogical,
        Duration timeout,
        boolean metrics) {

    static final String USAGE = String.join(
            "\n",
            "usage: StreamBenchmark [--big | --big-only] [--metrics] [--source DSN] [--repetitions N]",
            "                       [--pgferry LAUNCHER]",
            "                       [--cli-jar JAR] [--pg-recvlogical PROGRAM] [--timeout-minutes M]",
            "  --big               also stream 10,000,000 rows in one transaction with a 256 MB heap",
            "  --big-only          only that scenario",
            "  --metrics           also run the CLI with --http, /metrics scraped every second, and print its",
            "                      throughput relative to the CLI without (target >= 0.97)",
            "  --source DSN        use this database instead of an embedded PostgreSQL (needs wal_level=logical;",
            "                      creates table bench and publication bench_pub, and drops them at the end)",
            "  --repetitions N     runs per consumer and scenario, the median is reported (default 3)",
            "  --pgferry LAUNCHER  the pgferry launcher script (default ./pgferry)",
            "  --cli-jar JAR       the CLI jar the launcher runs (default: the launcher's own choice)",
            "  --pg-recvlogical P  pg_recvlogical to compare with (default: pg_recvlogical on PATH)",
            "  --timeout-minutes M the longest a single run may take (default 10)");

    /** A bad command line; the message says what is wrong. */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    static BenchOptions parse(String[] args) throws UsageException {
        boolean big = false;
        boolean bigOnly = false;
        boolean metrics = false;
        String source = null;
        int repetitions = 3;
        Path launcher = Path.of("pgferry");
        Path cliJar = null;
        String recvlogical = "pg_recvlogical";
        Duration timeout = Duration.ofMinutes(10);
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--big" -> big = true;
                case "--big-only" -> {
                    big = true;
                    bigOnly = true;
                }
                case "--metrics" -> metrics = true;
                case "--source" -> source = value(args, ++i, a);
                case "--repetitions" -> repetitions = positive(value(args, ++i, a), a);
                case "--pgferry" -> launcher = Path.of(value(args, ++i, a));
                case "--cli-jar" -> cliJar = Path.of(value(args, ++i, a));
                case "--pg-recvlogical" -> recvlogical = value(args, ++i, a);
                case "--timeout-minutes" -> timeout = Duration.ofMinutes(positive(value(args, ++i, a), a));
                case "-h", "--help" -> throw new UsageException("");
                default -> throw new UsageException("unknown argument '" + a + "'");
            }
        }
        return new BenchOptions(
                big, bigOnly, source, repetitions, launcher.toAbsolutePath(), cliJar, recvlogical, timeout, metrics);
    }

    private static String value(String[] args, int i, String option) throws UsageException {
        if (i >= args.length) {
            throw new UsageException(option + " needs a value");
        }
        return args[i];
    }

    private static int positive(String text, String option) throws UsageException {
        try {
            int n = Integer.parseInt(text);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // Reported below with the option's name.
        }
        throw new UsageException(
                String.format(Locale.ROOT, "%s needs a positive whole number, got '%s'", option, text));
    }
}
