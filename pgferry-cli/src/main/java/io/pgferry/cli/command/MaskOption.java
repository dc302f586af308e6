package io.pgferry.cli.command;

import io.pgferry.core.PgFerryException;
import io.pgferry.core.Secrets;
import io.pgferry.core.sink.ValueMask;
import io.pgferry.scan.mask.MaskFile;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code --mask FILE} of the commands that deliver changes: the mask file of docs/scan.md, "Masking". */
public final class MaskOption {
    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(
            names = "--mask",
            paramLabel = "FILE",
            description = "Mask values before anything downstream sees them: per column or per scanning rule, redact,"
                    + " partial, hash, fixed or null (see docs/scan.md, Masking).")
    Path file;

    /** Whether --mask was given. */
    public boolean given() {
        return file != null;
    }

    /**
     * The mask file, loaded and checked whole before anything is created ({@link ValueMask#NONE} without --mask);
     * a file that does not load is a usage error.
     */
    public ValueMask load() {
        if (file == null) {
            return ValueMask.NONE;
        }
        try {
            return MaskFile.load(file, v -> Secrets.resolve(v, System.getenv(), "the key of mask file " + file));
        } catch (PgFerryException e) {
            throw new ConfigurationError(mixee.commandLine(), e);
        }
    }
}
