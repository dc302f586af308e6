package io.pgferry.cli.command;

import io.pgferry.postgres.StreamConfig;
import io.pgferry.postgres.connect.Dsn;
import io.pgferry.verify.compare.VerifyOptions;
import io.pgferry.verify.compare.VerifyReport;
import io.pgferry.verify.control.ControlPlane;
import java.nio.file.Path;
import picocli.CommandLine;

/** Opens the control plane of {@code --control-dsn}, or the SQLite file in the state directory by default. */
public final class ControlPlaneOption {
    private ControlPlaneOption() {}

    /** The default control plane: {@code <state dir>/control-plane.sqlite}. */
    public static Path defaultFile() {
        return StreamConfig.stateDirectory().resolve("control-plane.sqlite");
    }

    public static ControlPlane open(CommandLine cl, String controlDsn) {
        if (controlDsn == null || controlDsn.isBlank()) {
            return ControlPlane.sqlite(defaultFile());
        }
        return ControlPlane.postgres(DsnArguments.required(cl, controlDsn, "--control-dsn"));
    }

    /** How a side is named in the history: database, host and port; never the password. */
    public static String name(Dsn dsn) {
        return dsn.dbname() + "@" + dsn.endpoints();
    }

    public static String record(ControlPlane control, VerifyReport report, VerifyOptions options) {
        return control.record(report, name(options.publisher()), name(options.subscriber()));
    }
}
