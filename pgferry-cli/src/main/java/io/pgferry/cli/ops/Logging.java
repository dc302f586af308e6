package io.pgferry.cli.ops;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import org.slf4j.LoggerFactory;

/**
 * Applies {@code --verbose}, {@code --log-level} and {@code --log-format} to logback, which {@link LogConfiguration}
 * set up to write WARN and above to standard error as text. The level applies to pgferry's own loggers ({@code io.pgferry}); the libraries
 * stay at WARN, so {@code --log-level info} shows what pgferry does without the drivers' chatter. {@code json} writes
 * one object per line through logback's own {@link JsonEncoder}: timestamp (epoch milliseconds), level, logger,
 * thread, formatted message, key-value fields and throwable. The raw arguments are left out: the formatted message
 * already holds them, and neither format ever carries row values, because no log statement is given any.
 */
public final class Logging {
    /** {@code --log-format}. */
    public enum Format {
        text,
        json
    }

    private Logging() {}

    /** Sets the level of pgferry's loggers: DEBUG when verbose, else {@code level}, or the root's (WARN) when null. */
    public static void level(boolean verbose, Level level) {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            // null inherits the configured level again, so a later run in the same JVM gets the defaults back.
            context.getLogger("io.pgferry").setLevel(verbose ? Level.DEBUG : level);
        }
    }

    /** Puts {@code format}'s encoder on the standard-error appender. */
    public static void useFormat(Format format) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        if (root.getAppender(LogConfiguration.APPENDER) instanceof ConsoleAppender<ILoggingEvent> console) {
            boolean json = format == Format.json;
            if (json != console.getEncoder() instanceof JsonEncoder) {
                Encoder<ILoggingEvent> encoder = json ? jsonEncoder(context) : LogConfiguration.textEncoder(context);
                console.stop();
                console.setEncoder(encoder);
                console.start();
            }
        }
    }

    private static Encoder<ILoggingEvent> jsonEncoder(LoggerContext context) {
        JsonEncoder e = new JsonEncoder();
        e.setContext(context);
        e.setWithSequenceNumber(false);
        e.setWithNanoseconds(false);
        e.setWithContext(false);
        e.setWithMessage(false);
        e.setWithArguments(false);
        e.setWithFormattedMessage(true);
        e.start();
        return e;
    }
}
