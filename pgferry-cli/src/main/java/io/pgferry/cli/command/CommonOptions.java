package io.pgferry.cli.command;

import ch.qos.logback.classic.Level;
import io.pgferry.cli.ops.Logging;
import java.nio.file.Path;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The options every command takes, before or after the subcommand ({@code pgferry -v check} and {@code pgferry check
 * -v}): {@code --config}, {@code -v/--verbose}, {@code --log-level}, {@code --log-format}. Every instance records what
 * it is given on the root command's {@link Invocation}, the single place they are read.
 */
public final class CommonOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(
            names = "--config",
            paramLabel = "FILE",
            description = "YAML configuration file shared by every command: option values (keys are long option"
                    + " names) and per-command sections; PGFERRY_* variables and flags win over it"
                    + " (default: $PGFERRY_CONFIG).")
    void setConfig(Path config) {
        Invocation run = Invocation.of(mixee);
        if (config != null && run != null) {
            run.config = config;
        }
    }

    @Option(
            names = {"-v", "--verbose"},
            description = "Debug logging for pgferry and stack traces on errors.")
    void setVerbose(boolean verbose) {
        // Only ever raise: picocli may call the setter with false when it resets a subcommand's options.
        Invocation run = Invocation.of(mixee);
        if (verbose && run != null) {
            run.verbose = true;
        }
    }

    @Option(
            names = "--log-level",
            paramLabel = "LEVEL",
            converter = LevelConverter.class,
            description =
                    "Level of pgferry's own log lines on standard error: error, warn (default), info, debug, trace.")
    void setLogLevel(Level level) {
        Invocation run = Invocation.of(mixee);
        if (level != null && run != null) {
            run.logLevel = level;
        }
    }

    @Option(
            names = "--log-format",
            paramLabel = "FORMAT",
            description = "text (default) or json: one JSON object per line, for a log collector.")
    void setLogFormat(Logging.Format format) {
        // At once, not when the command starts: a usage error found later in the parse is printed in it too.
        if (format != null) {
            Logging.useFormat(format);
            Invocation run = Invocation.of(mixee);
            if (run != null && run.console != null) {
                run.console.json(format == Logging.Format.json);
            }
        }
    }

    /** Refuses what logback would silently turn into DEBUG ({@link Level#toLevel} falls back). */
    static final class LevelConverter implements ITypeConverter<Level> {
        @Override
        public Level convert(String value) {
            Level l = Level.toLevel(value, null);
            if (l == null
                    || !java.util.List.of(Level.ERROR, Level.WARN, Level.INFO, Level.DEBUG, Level.TRACE)
                            .contains(l)) {
                throw new picocli.CommandLine.TypeConversionException(
                        "'" + value + "' is not a log level: use error, warn, info, debug or trace");
            }
            return l;
        }
    }
}
