package io.pgferry.cli.ops;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator.ExecutionStatus;
import ch.qos.logback.core.ConsoleAppender;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The logging set up in code (the logback.xml it replaced cost a tenth of a second of every start). */
class LogConfigurationTest {
    @Test
    void warningsAndAboveGoToStandardErrorAsTextAndTheCommandsOwnLinesAtInfo() {
        LoggerContext context = new LoggerContext();
        assertThat(new LogConfiguration().configure(context)).isEqualTo(ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        assertThat(root.getLevel()).isEqualTo(Level.WARN);
        assertThat(context.getLogger("pgferry").getLevel()).isEqualTo(Level.INFO);
        assertThat(context.getLogger("io.pgferry").getEffectiveLevel()).isEqualTo(Level.WARN);
        ConsoleAppender<?> console = (ConsoleAppender<?>) root.getAppender(LogConfiguration.APPENDER);
        assertThat(console.getTarget()).isEqualTo("System.err");
        assertThat(console.isStarted()).isTrue();
        assertThat(((PatternLayoutEncoder) console.getEncoder()).getPattern()).isEqualTo(LogConfiguration.PATTERN);
    }

    @Test
    void logbackFindsItThroughTheServiceLoader() {
        // No file to find first, and the appender is this class's (logback's fallback names its own "console").
        assertThat(getClass().getClassLoader().getResource("logback.xml")).isNull();
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender(LogConfiguration.APPENDER))
                .isInstanceOf(ConsoleAppender.class);
    }

    @Test
    void aConfigurationFileNamedByTheUserIsLeftToLogback() {
        String before = System.getProperty("logback.configurationFile");
        System.setProperty("logback.configurationFile", "/etc/pgferry/logback.xml");
        try {
            LoggerContext context = new LoggerContext();
            assertThat(new LogConfiguration().configure(context)).isEqualTo(ExecutionStatus.INVOKE_NEXT_IF_ANY);
            assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender(LogConfiguration.APPENDER))
                    .isNull();
        } finally {
            if (before == null) {
                System.clearProperty("logback.configurationFile");
            } else {
                System.setProperty("logback.configurationFile", before);
            }
        }
    }
}
