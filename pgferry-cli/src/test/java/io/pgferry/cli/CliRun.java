package io.pgferry.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/** Runs {@code pgferry} in-process with captured stdout and stderr. */
public record CliRun(int exitCode, String out, String err) {
    public static CliRun run(String... args) {
        return runWithEnv(Map.of(), args);
    }

    /** Like {@link #run}, with {@code env} as the process environment the command sees. */
    public static CliRun runWithEnv(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), env, args);
        return new CliRun(code, out.toString(), err.toString());
    }

    /** The same on a plain {@code new CommandLine(new Main())}, as a caller that configures nothing would. */
    public static CliRun runBare(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.unconfigured();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new CliRun(code, out.toString(), err.toString());
    }

    public List<String> outLines() {
        return out.lines().toList();
    }

    public List<String> errLines() {
        return err.lines().toList();
    }
}
