package io.pgferry.cli.scan;

import io.pgferry.cli.command.ExitCodes;
import io.pgferry.cli.command.PgferryCommand;
import io.pgferry.cli.command.SourceOption;
import io.pgferry.cli.config.DurationConverter;
import io.pgferry.cli.stream.CheckCommand;
import io.pgferry.core.PgFerryException;
import io.pgferry.postgres.admin.Finding;
import io.pgferry.postgres.admin.Preflight;
import io.pgferry.scan.Masking;
import io.pgferry.scan.SampleValues;
import io.pgferry.scan.Scanner;
import io.pgferry.scan.rules.Rule;
import io.pgferry.scan.rules.RuleSet;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pgferry rules list | test | bench | validate}: look at, try and time a rule file before a scan uses it. */
@Command(
        name = "rules",
        description = "List, test, time and validate scanning rules.",
        mixinStandardHelpOptions = true,
        subcommands = {
            RulesCommand.ListRules.class,
            RulesCommand.TestRules.class,
            RulesCommand.BenchRules.class,
            RulesCommand.ValidateRules.class
        })
public final class RulesCommand {
    /** {@code --rules FILE}, or the bundled rules. */
    static final class RulesOption {
        @Option(names = "--rules", paramLabel = "FILE", description = "Rule file, TOML or YAML (default: bundled).")
        Path file;

        RuleSet load(PgferryCommand command) {
            try {
                return file == null ? RuleSet.bundled() : RuleSet.load(file);
            } catch (PgFerryException e) {
                throw command.configurationError(e);
            }
        }
    }

    @Command(name = "list", description = "List the rules: id, severity, category, kind, channels.")
    static final class ListRules extends PgferryCommand {
        @Mixin
        RulesOption rules;

        @Override
        protected int run() {
            RuleSet set = rules.load(this);
            PrintWriter out = out();
            out.printf(Locale.ROOT, "%-24s %-8s %-8s %-8s %s%n", "ID", "SEVERITY", "CATEGORY", "KIND", "CHANNELS");
            for (Rule r : set.rules()) {
                out.printf(
                        Locale.ROOT,
                        "%-24s %-8s %-8s %-8s %s%n",
                        r.id(),
                        r.severity().label(),
                        r.category(),
                        r.kind().equals("builtin") ? r.definition() : "regex",
                        r.channels().isEmpty() ? "all" : String.join(",", r.channels()));
            }
            out.printf(Locale.ROOT, "%d rules from %s%n", set.rules().size(), set.origin());
            out.flush();
            return ExitCodes.OK;
        }
    }

    @Command(
            name = "test",
            description = "Run the rules on one value and show what they find, masked. Exit 0 when a rule matched,"
                    + " 1 when none did.")
    static final class TestRules extends PgferryCommand {
        @Mixin
        RulesOption rules;

        @Option(names = "--input", paramLabel = "VALUE", required = true, description = "The value to scan.")
        String input;

        @Override
        protected int run() {
            RuleSet set = rules.load(this);
            List<Scanner.Match> found = Scanner.matches(set.rules(), input);
            PrintWriter out = out();
            for (Scanner.Match m : found) {
                out.printf(
                        Locale.ROOT,
                        "%s (%s) at %d-%d: %s%n",
                        m.rule().id(),
                        m.rule().severity().label(),
                        m.start(),
                        m.end(),
                        Masking.sample(input.substring(m.start(), m.end())));
            }
            out.println(found.isEmpty() ? "no rule matched" : found.size() + " matches");
            out.flush();
            return found.isEmpty() ? 1 : ExitCodes.OK;
        }
    }

    @Command(name = "bench", description = "Time the rules: values per second for each rule and for the whole set.")
    static final class BenchRules extends PgferryCommand {
        @Mixin
        RulesOption rules;

        @ArgGroup(exclusive = true)
        Input input;

        static final class Input {
            @Option(names = "--input", paramLabel = "VALUE", description = "Time this one value.")
            String value;

            @Option(names = "--file", paramLabel = "FILE", description = "Time the lines of FILE, one value each.")
            Path file;

            @Option(
                    names = "--generate",
                    paramLabel = "N",
                    description = "Time N made-up values, 5% sensitive (default: 100000).")
            Integer generate;
        }

        @Option(
                names = "--min-time",
                paramLabel = "DURATION",
                defaultValue = "1s",
                converter = DurationConverter.class,
                description = "Repeat each measurement for at least this long (default: ${DEFAULT-VALUE}).")
        java.time.Duration minTime;

        @Override
        protected int run() {
            RuleSet set = rules.load(this);
            List<String> values = values();
            PrintWriter out = out();
            out.printf(
                    Locale.ROOT,
                    "%d values, %d bytes on average%n",
                    values.size(),
                    values.stream().mapToLong(String::length).sum() / Math.max(1, values.size()));
            out.printf(Locale.ROOT, "%-24s %14s %10s%n", "RULE", "VALUES/S", "MATCHES");
            for (Rule r : set.rules()) {
                Timing t = time(List.of(r), values);
                out.printf(Locale.ROOT, "%-24s %14.0f %10d%n", r.id(), t.perSecond, t.matches);
            }
            Timing all = time(set.rules(), values);
            out.printf(Locale.ROOT, "%-24s %14.0f %10d%n", "(all rules)", all.perSecond, all.matches);
            out.flush();
            return ExitCodes.OK;
        }

        private record Timing(double perSecond, long matches) {}

        private Timing time(List<Rule> rs, List<String> values) {
            long matches = 0;
            for (String v : values) {
                matches += Scanner.matches(rs, v).size(); // warm-up pass, and the match count
            }
            long passes = 0;
            long start = System.nanoTime();
            long elapsed;
            do {
                for (String v : values) {
                    Scanner.matches(rs, v);
                }
                passes++;
                elapsed = System.nanoTime() - start;
            } while (elapsed < minTime.toNanos());
            return new Timing(passes * values.size() / (elapsed / 1e9), matches);
        }

        private List<String> values() {
            if (input != null && input.value != null) {
                return List.of(input.value);
            }
            if (input != null && input.file != null) {
                try {
                    List<String> lines = Files.readAllLines(input.file, StandardCharsets.UTF_8);
                    if (lines.isEmpty()) {
                        throw configurationError(PgFerryException.fatal(
                                "the file " + input.file + " holds no values", "give a file with one value per line"));
                    }
                    return lines;
                } catch (IOException e) {
                    throw configurationError(PgFerryException.fatal(
                            "cannot read " + input.file + ": " + e.getMessage(), "check the path", e));
                }
            }
            int n = input != null && input.generate != null ? input.generate : 100_000;
            if (n < 1) {
                throw configurationError(PgFerryException.fatal("--generate " + n + " is not positive", "give N ≥ 1"));
            }
            return SampleValues.generate(n, 5, 42);
        }
    }

    @Command(
            name = "validate",
            description = "Load the rule file and report the first problem; with --connect also check the source"
                    + " (wal_level, publication, REPLICATION right, free slots).")
    static final class ValidateRules extends PgferryCommand {
        @Mixin
        RulesOption rules;

        @Option(names = "--connect", description = "Also check that the source is ready to be scanned.")
        boolean connect;

        @Mixin
        SourceOption source;

        @Option(
                names = "--publication",
                paramLabel = "NAME",
                defaultValue = ScanCommand.DEFAULT_PUBLICATION,
                description = "Publication to check with --connect (default: ${DEFAULT-VALUE}).")
        String publication;

        @Override
        protected int run() {
            RuleSet set = rules.load(this);
            PrintWriter out = out();
            out.printf(Locale.ROOT, "%d rules from %s: valid%n", set.rules().size(), set.origin());
            if (!connect) {
                out.flush();
                return ExitCodes.OK;
            }
            List<Finding> findings = new ArrayList<>(Preflight.run(source.dsn(), publication, List.of()));
            for (Finding f : findings) {
                out.println(CheckCommand.format(f));
            }
            boolean ready = Preflight.isReady(findings);
            out.println(ready ? "ready" : "not ready");
            out.flush();
            return ready ? ExitCodes.OK : ExitCodes.NOT_READY;
        }
    }
}
