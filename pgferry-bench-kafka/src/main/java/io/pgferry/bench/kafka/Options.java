package io.pgferry.bench.kafka;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The command line of {@link KafkaBenchmark}. */
record Options(
        String source,
        String publication,
        String slotExactlyOnce,
        String slotAtLeastOnce,
        String slotDebezium,
        Expected expected,
        Path pgferry,
        String targetOptions,
        Path logDir,
        String bootstrap,
        Duration timeout,
        Set<String> only,
        int rounds,
        Map<String, String> debeziumProperties,
        Map<String, String> workerProperties) {

    static final String USAGE =
            """
            usage: KafkaBenchmark --source DSN --publication PUB --expect SCHEMA.TABLE:OP:N... [options]
              --source DSN                 postgresql://user[:password]@host:port/database of the source
              --publication PUB            an existing publication of the tables
              --slot-exactly-once S        slot of the pgferry exactly-once run (default kb_eos)
              --slot-at-least-once S       slot of the pgferry at-least-once run (default kb_alo)
              --slot-debezium S            slot of the Debezium run (default kb_dbz)
              --expect TABLE:OP:N          N events of op c, u or d for TABLE (schema.table) in every run; repeat it
              --pgferry PATH               the pgferry launcher (default ./pgferry)
              --target-options OPTS        more options of pgferry's kafka:// target, as opt=value&opt=value
              --log-dir DIR                where the pgferry runs' output goes (default the temporary folder)
              --bootstrap HOST:PORT        an existing broker (default: a single-node KRaft broker in this JVM)
              --timeout-minutes N          limit of each run (default 120)
              --only LIST                  runs to do, of exactly-once,at-least-once,debezium (default these three),
                                           connect,connect-json,connect-debezium,connect-eos,connect-json-eos,
                                           connect-debezium-eos (the source connectors on Kafka Connect, each on
                                           slot kb_<run with _ for ->; -json: pgferry's record.format=json)
              --rounds N                   every run N times, in the order above in odd rounds and reversed in even
                                           ones; round r > 1 reads slot <the run's slot>_r<r> (default 1)
              --debezium KEY=VALUE         a Debezium engine or connector setting, overriding the benchmark's
              --worker KEY=VALUE           a Kafka Connect worker setting for the connect runs (both connectors'),
                                           e.g. producer.linger.ms=20
            """;

    static final List<String> RUNS = List.of(
            "exactly-once",
            "at-least-once",
            "debezium",
            "connect",
            "connect-json",
            "connect-debezium",
            "connect-eos",
            "connect-json-eos",
            "connect-debezium-eos");

    /** The runs done unless {@code --only} says otherwise. */
    static final List<String> DEFAULT_RUNS = RUNS.subList(0, 3);

    /** The slot of a Kafka Connect run: kb_ and the run's name with _ for -. */
    static String connectSlot(String run) {
        return "kb_" + run.replace('-', '_');
    }

    /** The slot {@code slot} of the first round is in round {@code round}: every round reads a copy of its own. */
    static String inRound(String slot, int round) {
        return round == 1 ? slot : slot + "_r" + round;
    }

    /** Events each run must deliver: per table ({@code schema.table}), per op ({@code c}, {@code u}, {@code d}). */
    record Expected(Map<String, Map<String, Long>> byTable) {
        /** Change events (every op), the figure the rates are computed from. */
        long changes() {
            return byTable.values().stream()
                    .flatMap(m -> m.values().stream())
                    .mapToLong(Long::longValue)
                    .sum();
        }

        /** Tombstones: one after each delete, by both tools' defaults. */
        long tombstones() {
            return byTable.values().stream()
                    .mapToLong(m -> m.getOrDefault("d", 0L))
                    .sum();
        }

        /** Records of the table topics: changes and tombstones. */
        long records() {
            return changes() + tombstones();
        }
    }

    /** A wrong command line; the message says what is wrong (empty for --help). */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    static Options parse(String[] args) throws UsageException {
        String source = null;
        String publication = null;
        String eos = "kb_eos";
        String alo = "kb_alo";
        String dbz = "kb_dbz";
        Map<String, Map<String, Long>> expected = new LinkedHashMap<>();
        Path pgferry = Path.of("pgferry");
        String targetOptions = "";
        Path logDir = Path.of(System.getProperty("java.io.tmpdir"));
        String bootstrap = null;
        Duration timeout = Duration.ofMinutes(120);
        Set<String> only = new LinkedHashSet<>(DEFAULT_RUNS);
        int rounds = 1;
        Map<String, String> debezium = new LinkedHashMap<>();
        Map<String, String> worker = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-h") || a.equals("--help")) {
                throw new UsageException("");
            }
            if (i + 1 >= args.length) {
                throw new UsageException(a + " needs a value");
            }
            String v = args[++i];
            switch (a) {
                case "--source" -> source = v;
                case "--publication" -> publication = v;
                case "--slot-exactly-once" -> eos = v;
                case "--slot-at-least-once" -> alo = v;
                case "--slot-debezium" -> dbz = v;
                case "--expect" -> {
                    String[] p = v.split(":", -1);
                    if (p.length != 3
                            || !p[0].contains(".")
                            || !Set.of("c", "u", "d").contains(p[1])) {
                        throw new UsageException("--expect takes SCHEMA.TABLE:OP:N with OP c, u or d, not " + v);
                    }
                    expected.computeIfAbsent(p[0], t -> new LinkedHashMap<>()).put(p[1], number(a, p[2]));
                }
                case "--pgferry" -> pgferry = Path.of(v);
                case "--target-options" -> targetOptions = v;
                case "--log-dir" -> logDir = Path.of(v);
                case "--bootstrap" -> bootstrap = v;
                case "--timeout-minutes" -> timeout = Duration.ofMinutes(number(a, v));
                case "--only" -> {
                    only = new LinkedHashSet<>(List.of(v.split(",")));
                    if (only.isEmpty() || !RUNS.containsAll(only)) {
                        throw new UsageException("--only takes a list of " + String.join(",", RUNS) + ", not " + v);
                    }
                }
                case "--rounds" -> {
                    rounds = (int) number(a, v);
                    if (rounds < 1 || rounds > 9) {
                        throw new UsageException("--rounds takes 1 to 9, not " + v);
                    }
                }
                case "--debezium" -> keyValue(a, v, debezium);
                case "--worker" -> keyValue(a, v, worker);
                default -> throw new UsageException("unknown argument " + a);
            }
        }
        if (source == null || publication == null || expected.isEmpty()) {
            throw new UsageException("--source, --publication and --expect are required");
        }
        return new Options(
                source,
                publication,
                eos,
                alo,
                dbz,
                new Expected(expected),
                pgferry,
                targetOptions,
                logDir,
                bootstrap,
                timeout,
                only,
                rounds,
                debezium,
                worker);
    }

    private static void keyValue(String option, String text, Map<String, String> into) throws UsageException {
        int eq = text.indexOf('=');
        if (eq <= 0) {
            throw new UsageException(option + " takes KEY=VALUE, not " + text);
        }
        into.put(text.substring(0, eq), text.substring(eq + 1));
    }

    private static long number(String option, String text) throws UsageException {
        try {
            long n = Long.parseLong(text);
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new UsageException(option + " takes a number, not " + text);
        }
    }
}
