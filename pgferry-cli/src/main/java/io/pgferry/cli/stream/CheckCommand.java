package io.pgferry.cli.stream;

import io.pgferry.cli.command.ExitCodes;
import io.pgferry.cli.command.PgferryCommand;
import io.pgferry.cli.command.SourceOption;
import io.pgferry.core.PgFerryException;
import io.pgferry.postgres.admin.Finding;
import io.pgferry.postgres.admin.Preflight;
import io.pgferry.postgres.catalog.TableName;
import io.pgferry.postgres.connect.Dsn;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pgferry check}: is the source ready to stream from? Exit 0 ready, 1 not ready. */
@Command(
        name = "check",
        mixinStandardHelpOptions = true,
        description = "Check that a source database is ready for pgferry: version, wal_level, free slots and WAL"
                + " senders, replication rights, publication, tables and their replica identity.")
public final class CheckCommand extends PgferryCommand {
    @Mixin
    SourceOption source;

    @Option(names = "--publication", paramLabel = "NAME", description = "Publication to check.")
    String publication;

    @Option(
            names = "--tables",
            paramLabel = "LIST",
            description = "Tables to check, as schema.table,schema.table (default: the publication's tables).")
    String tables;

    @Override
    protected int run() {
        Dsn dsn = source.dsn();
        List<TableName> tableList;
        try {
            tableList = tables == null ? List.of() : TableName.parseList(tables);
        } catch (PgFerryException e) {
            throw configurationError(e);
        }
        List<Finding> findings = Preflight.run(dsn, publication, tableList);
        PrintWriter out = out();
        out.println("source: " + dsn.masked());
        for (Finding f : findings) {
            out.println(format(f));
        }
        boolean ready = Preflight.isReady(findings);
        out.println(ready ? "ready" : "not ready");
        out.flush();
        return ready ? ExitCodes.OK : ExitCodes.NOT_READY;
    }

    public static String format(Finding f) {
        String line = "[" + f.severity() + "] " + f.subject() + ": " + f.message();
        return f.severity() == Finding.Severity.OK || f.fix().isEmpty() ? line : line + " -> fix: " + f.fix();
    }
}
