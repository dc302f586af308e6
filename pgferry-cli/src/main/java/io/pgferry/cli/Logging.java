package io.pgferry.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/** Applies {@code --verbose}: logback.xml logs WARN and above; verbose raises {@code io.pgferry} to DEBUG. */
final class Logging {
    private Logging() {}

    static void apply(boolean verbose) {
        if (LoggerFactory.getLogger("io.pgferry") instanceof Logger logger) {
            // null inherits the configured level again, so a later non-verbose run in the same JVM is quiet.
            logger.setLevel(verbose ? Level.DEBUG : null);
        }
    }
}
