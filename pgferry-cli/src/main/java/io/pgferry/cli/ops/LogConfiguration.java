package io.pgferry.cli.ops;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.nio.charset.StandardCharsets;

/**
 * The command line's logging, set up in code: WARN and above to standard error as text (standard output carries
 * data), and the logger {@code pgferry}, which carries the command's own lines in JSON format ({@link ConsoleLines}),
 * at INFO. {@link Logging} then applies the level and format options.
 *
 * <p>Why not a logback.xml: logback reads one by loading an XML parser and its own configuration model, about a tenth
 * of a second of every command's start (docs/operations.md, "Start-up time"), for four settings. Logback finds this
 * class through {@code META-INF/services} before it looks for a file. A user who names a configuration file with the
 * system property {@code logback.configurationFile} gets that file instead, as with any logback application.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_NORMAL_PRIORITY)
public final class LogConfiguration extends ContextAwareBase implements Configurator {
    /** The name of the standard-error appender, which {@link Logging} gives another encoder for JSON. */
    static final String APPENDER = "STDERR";

    /** The text layout of every log line. */
    static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level %logger{36} - %msg%n";

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(context);
        console.setName(APPENDER);
        console.setTarget("System.err");
        console.setEncoder(textEncoder(context));
        console.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        root.addAppender(console);
        context.getLogger("pgferry").setLevel(Level.INFO);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /** The text encoder: also what {@link Logging} puts back after a JSON command in the same JVM (the tests). */
    static PatternLayoutEncoder textEncoder(LoggerContext context) {
        PatternLayoutEncoder e = new PatternLayoutEncoder();
        e.setContext(context);
        e.setPattern(PATTERN);
        e.setCharset(StandardCharsets.UTF_8);
        e.start();
        return e;
    }
}
