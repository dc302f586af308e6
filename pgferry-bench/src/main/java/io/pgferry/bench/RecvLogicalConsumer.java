package io.pgferry.bench;

import io.pgferry.core.Lsn;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * PostgreSQL's own pg_recvlogical, writing the raw pgoutput stream to /dev/null: the floor of what receiving the WAL
 * costs, against which pgferry is compared. It asks for the same pgoutput options pgferry does.
 */
final class RecvLogicalConsumer implements StreamConsumer {
    private final Target target;
    private final String program;
    private final Duration timeout;

    RecvLogicalConsumer(Target target, String program, Duration timeout) {
        this.target = target;
        this.program = program;
        this.timeout = timeout;
    }

    @Override
    public String name() {
        return "pg_recvlogical";
    }

    @Override
    public Measurement run(String slot, Lsn end) throws IOException, InterruptedException {
        int v = target.protocolVersion();
        List<String> command = new ArrayList<>(List.of(
                program,
                "-d",
                conninfo(),
                "--slot",
                slot,
                "--start",
                "--no-loop",
                "-o",
                "proto_version=" + v,
                "-o",
                "publication_names=" + target.publication(),
                "-o",
                "messages=on"));
        if (v >= 2) {
            command.addAll(List.of("-o", "streaming=on"));
        }
        // --endpos: stop once a record at or after the loaded WAL's end arrives (PostgreSQL docs, pg_recvlogical).
        command.addAll(List.of("--endpos", end.toString(), "-f", "/dev/null"));
        Map<String, String> env = new HashMap<>();
        String password = target.dsn().jdbcProperties().getProperty("password");
        if (password != null) {
            env.put("PGPASSWORD", password);
        }
        ChildProcess.Result r = ChildProcess.run(command, env, timeout, false);
        if (r.exitCode() != 0) {
            throw new IOException("pg_recvlogical exited with " + r.exitCode() + ":\n" + r.stderrTail());
        }
        return new Measurement(r.seconds(), -1);
    }

    /** libpq key=value connection string without the password, which goes through PGPASSWORD instead. */
    private String conninfo() {
        return "host=" + quote(target.dsn().host()) + " port=" + target.dsn().port() + " dbname="
                + quote(target.dsn().dbname()) + " user=" + quote(target.dsn().user()) + " sslmode="
                + quote(target.dsn().sslmode());
    }

    /** A libpq connection string value: single quotes, with quotes and backslashes escaped by a backslash. */
    private static String quote(String value) {
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
