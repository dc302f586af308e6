package io.pgferry.postgres;

import static org.assertj.core.api.Assertions.fail;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import org.slf4j.LoggerFactory;

/**
 * Records every SLF4J event at DEBUG and above (logback's root logger) and, separately, every java.util.logging
 * record pgjdbc writes at FINEST, for as long as it is open. pgjdbc logs through java.util.logging, which does not
 * reach SLF4J unless an application installs a bridge, so its records are kept apart: they are what a user would see
 * with pgjdbc's own logging turned up.
 *
 * <p>Events from every thread of the JVM are recorded, including tests running at the same time.
 */
final class LogCapture implements AutoCloseable {
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final Level previousLevel;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>() {
        @Override
        protected void append(ILoggingEvent e) {
            super.append(e);
            notifyAll(); // doAppend holds this appender's lock: await's waiters look again
        }
    };
    // A strong reference: java.util.logging keeps loggers only weakly, and a collected logger loses its level.
    private final java.util.logging.Logger pgjdbc = java.util.logging.Logger.getLogger("org.postgresql");
    private final java.util.logging.Level previousJulLevel;
    private final List<LogRecord> julRecords = Collections.synchronizedList(new ArrayList<>());
    private final Handler julHandler = new Handler() {
        @Override
        public void publish(LogRecord r) {
            julRecords.add(r);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    LogCapture() {
        previousLevel = root.getLevel();
        appender.setContext(root.getLoggerContext());
        appender.start();
        root.addAppender(appender);
        root.setLevel(Level.DEBUG);
        previousJulLevel = pgjdbc.getLevel();
        julHandler.setLevel(java.util.logging.Level.ALL);
        pgjdbc.addHandler(julHandler);
        pgjdbc.setLevel(java.util.logging.Level.FINEST);
    }

    /** The SLF4J events so far. */
    List<ILoggingEvent> events() {
        synchronized (appender) {
            return List.copyOf(appender.list);
        }
    }

    /** The first SLF4J event {@code matches} accepts, waited for until {@code timeout}; null if none came. */
    ILoggingEvent await(Predicate<ILoggingEvent> matches, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (appender) {
            while (true) {
                for (ILoggingEvent e : appender.list) {
                    if (matches.test(e)) {
                        return e;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                TimeUnit.NANOSECONDS.timedWait(appender, left);
            }
        }
    }

    /**
     * Every piece of text of every SLF4J event: the message pattern, the formatted message, each argument, and the
     * class, message and stack of each throwable in the cause and suppressed chains.
     */
    List<String> slf4jTexts() {
        List<String> out = new ArrayList<>();
        for (ILoggingEvent e : events()) {
            out.add(e.getMessage());
            out.add(e.getFormattedMessage());
            if (e.getArgumentArray() != null) {
                for (Object a : e.getArgumentArray()) {
                    out.add(String.valueOf(a));
                }
            }
            addThrowable(e.getThrowableProxy(), out, Collections.newSetFromMap(new IdentityHashMap<>()));
        }
        return out;
    }

    private static void addThrowable(IThrowableProxy t, List<String> out, Set<IThrowableProxy> seen) {
        if (t == null || !seen.add(t)) {
            return;
        }
        out.add(t.getClassName());
        out.add(t.getMessage());
        addThrowable(t.getCause(), out, seen);
        if (t.getSuppressed() != null) {
            for (IThrowableProxy s : t.getSuppressed()) {
                addThrowable(s, out, seen);
            }
        }
    }

    /** Every piece of text of every pgjdbc java.util.logging record: message, parameters and throwable chain. */
    List<String> julTexts() {
        List<String> out = new ArrayList<>();
        synchronized (julRecords) {
            for (LogRecord r : julRecords) {
                out.add(r.getMessage());
                if (r.getParameters() != null) {
                    for (Object p : r.getParameters()) {
                        out.add(String.valueOf(p));
                    }
                }
                for (Throwable t = r.getThrown(); t != null && t.getCause() != t; t = t.getCause()) {
                    out.add(t.toString());
                }
            }
        }
        return out;
    }

    /** Fails naming the first SLF4J event text that contains any of {@code secrets}; the secrets are not printed. */
    void assertSlf4jNeverContains(String... secrets) {
        assertNone("an SLF4J event", slf4jTexts(), secrets);
    }

    /** The same check over what pgjdbc wrote to java.util.logging. */
    void assertPgjdbcNeverContains(String... secrets) {
        assertNone("a pgjdbc java.util.logging record", julTexts(), secrets);
    }

    private static void assertNone(String where, List<String> texts, String... secrets) {
        for (String text : texts) {
            if (text == null) {
                continue;
            }
            for (int i = 0; i < secrets.length; i++) {
                if (text.contains(secrets[i])) {
                    // Names the secret by position only, so the failure does not print it either.
                    String masked = text;
                    for (String s : secrets) {
                        masked = masked.replace(s, "<SECRET>");
                    }
                    fail(where + " contains secret #" + i + ": " + masked);
                }
            }
        }
    }

    @Override
    public void close() {
        root.detachAppender(appender);
        root.setLevel(previousLevel);
        appender.stop();
        pgjdbc.removeHandler(julHandler);
        pgjdbc.setLevel(previousJulLevel);
    }
}
