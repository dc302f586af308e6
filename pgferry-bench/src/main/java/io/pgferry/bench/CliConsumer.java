package io.pgferry.bench;

import io.pgferry.core.Lsn;
import io.pgferry.postgres.connect.Dsn;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The pgferry command line, {@code pgferry stream --until-caught-up --output /dev/null}: the library plus JSON
 * encoding plus JVM start-up, timed from process start to exit.
 *
 * <p>It stops at the server's WAL position when it starts, which is the end of the scenario's load as long as
 * nothing else writes to the database meanwhile; the {@code end} given to {@link #run} is not passed on.
 */
final class CliConsumer implements StreamConsumer {
    /** The summary the CLI prints on stderr at the end: "pgferry: 1000 transactions, 1000000 changes, ...". */
    private static final Pattern SUMMARY = Pattern.compile("(\\d+) transactions, (\\d+) changes");

    private final Target target;
    private final Path launcher;
    private final Path cliJar;
    private final String javaOptions;
    private final Duration timeout;

    /**
     * @param cliJar the jar for the launcher to run, or null for its default
     * @param javaOptions JAVA_OPTS for the CLI's JVM, or null to inherit this process's
     */
    CliConsumer(Target target, Path launcher, Path cliJar, String javaOptions, Duration timeout) {
        this.target = target;
        this.launcher = launcher;
        this.cliJar = cliJar;
        this.javaOptions = javaOptions;
        this.timeout = timeout;
    }

    @Override
    public String name() {
        return "pgferry CLI";
    }

    @Override
    public Measurement run(String slot, Lsn end) throws IOException, InterruptedException {
        try (ScratchDirectory spill = ScratchDirectory.create("pgferry-bench-cli-spill")) {
            List<String> command = List.of(
                    launcher.toString(),
                    "stream",
                    "--publication",
                    target.publication(),
                    "--slot",
                    slot,
                    "--until-caught-up",
                    "--output",
                    "/dev/null",
                    "--spill-dir",
                    spill.path().toString(),
                    "--checkpoint",
                    spill.path().resolve("checkpoint").toString());
            Map<String, String> env = new HashMap<>();
            env.put(Dsn.SOURCE_DSN_VARIABLE, target.dsnText());
            if (cliJar != null) {
                env.put("PGFERRY_JAR", cliJar.toString());
            }
            if (javaOptions != null) {
                env.put("JAVA_OPTS", javaOptions);
            }
            ChildProcess.Result r = ChildProcess.run(command, env, timeout, false);
            if (r.exitCode() != 0) {
                throw new IOException(
                        "pgferry stream exited with " + r.exitCode() + ":\n" + Dsn.maskSecretsIn(r.stderrTail()));
            }
            Matcher m = SUMMARY.matcher(r.stderr());
            return new Measurement(r.seconds(), m.find() ? Long.parseLong(m.group(2)) : -1);
        }
    }
}
