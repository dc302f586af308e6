package io.pgferry.scan;

import io.pgferry.core.PgFerryException;
import io.pgferry.scan.rules.RuleSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads a rule file when it changes, into every scanner that runs it. A file that does not load keeps the rules
 * already loaded (pgsense-rs panicked on a rule without a pattern, on reload too), logs one line with the rule and
 * the reason, and counts a failed reload. The file is polled (modification time, size, file key): a watch service
 * misses the atomic renames of editors and the symbolic-link swaps of Kubernetes config maps.
 */
public final class RuleReloader implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RuleReloader.class);

    private final Path file;
    private final List<Scanner> scanners;
    private final Duration interval;
    private final CountDownLatch closing = new CountDownLatch(1);
    private final AtomicLong reloads = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final Thread thread;
    private Object lastSeen;

    public RuleReloader(Path file, List<Scanner> scanners, Duration interval) {
        this.file = file;
        this.scanners = List.copyOf(scanners);
        this.interval = interval;
        this.lastSeen = version();
        this.thread = new Thread(this::watch, "pgferry-rule-reload");
        thread.setDaemon(true);
        thread.start();
    }

    /** Successful reloads so far. */
    public long reloads() {
        return reloads.get();
    }

    /** Reloads refused because the file did not load (the {@code rules_reload_failures} count). */
    public long failures() {
        return failures.get();
    }

    private void watch() {
        try {
            while (!closing.await(interval.toMillis(), TimeUnit.MILLISECONDS)) {
                Object now = version();
                if (now != null && !now.equals(lastSeen)) {
                    lastSeen = now;
                    reloadNow();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Loads the file now, whether it changed or not (what SIGHUP asks for), and returns one line saying what
     * happened; a file that does not load leaves the rules in force, as a change noticed by polling does.
     */
    public synchronized String reloadNow() {
        try {
            RuleSet rules = RuleSet.load(file);
            for (Scanner s : scanners) {
                s.reload(rules);
            }
            reloads.incrementAndGet();
            String line = "rule file " + file + " reloaded: " + rules.rules().size() + " rules";
            LOG.info(line);
            return line;
        } catch (PgFerryException e) {
            failures.incrementAndGet();
            LOG.warn("{}; keeping the rules already loaded (fix: {})", e.problem(), e.fix());
            return "rule file " + file + " not reloaded: " + e.problem() + "; the rules already loaded stay in force";
        }
    }

    /** What identifies the file's content cheaply; null when it cannot be read (a swap in progress). */
    private Object version() {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            FileTime t = a.lastModifiedTime();
            return List.of(t, a.size(), String.valueOf(a.fileKey()));
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public void close() {
        closing.countDown();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
