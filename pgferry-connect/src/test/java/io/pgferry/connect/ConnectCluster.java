package io.pgferry.connect;

import io.pgferry.testkit.TestDatabase;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.apache.kafka.connect.runtime.rest.errors.ConnectRestException;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.apache.kafka.connect.util.clusters.WorkerHandle;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Kafka Connect's own in-JVM clusters from its test artifact on Maven Central: each two workers in distributed mode
 * and a KRaft broker, one with exactly-once source support enabled ({@link #exactlyOnce()}; a connector still chooses
 * whether to require it) and one without ({@link #atLeastOnce()}). Each started on first use, once per JVM, and
 * stopped when the tests of the JVM end (test classes that use them are extended with {@link Lifecycle}): workers
 * first, then their broker. A JVM shutdown hook would race the broker's own and leave workers waiting for it. Offsets are flushed every 500 ms, and a task of a worker that leaves is
 * moved at once, so that tests do not wait Connect's production defaults out.
 */
public final class ConnectCluster {
    private static final AtomicInteger NAMES = new AtomicInteger();
    private static EmbeddedConnectCluster exactlyOnce;
    private static EmbeddedConnectCluster atLeastOnce;

    private ConnectCluster() {}

    /** Stops the clusters once every test of the JVM has run. */
    public static final class Lifecycle implements BeforeAllCallback {
        @Override
        public void beforeAll(ExtensionContext context) {
            context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL).getOrComputeIfAbsent(Lifecycle.class, k ->
                    (AutoCloseable) ConnectCluster::stopAll);
        }
    }

    private static synchronized void stopAll() {
        for (EmbeddedConnectCluster c : new EmbeddedConnectCluster[] {exactlyOnce, atLeastOnce}) {
            if (c != null) {
                c.stop();
            }
        }
        exactlyOnce = null;
        atLeastOnce = null;
    }

    public static synchronized EmbeddedConnectCluster exactlyOnce() {
        if (exactlyOnce == null) {
            exactlyOnce = start("pgferry-eos", "enabled");
        }
        return exactlyOnce;
    }

    public static synchronized EmbeddedConnectCluster atLeastOnce() {
        if (atLeastOnce == null) {
            atLeastOnce = start("pgferry-alo", "disabled");
        }
        return atLeastOnce;
    }

    private static EmbeddedConnectCluster start(String name, String exactlyOnceSupport) {
        Map<String, String> worker = new HashMap<>();
        worker.put("exactly.once.source.support", exactlyOnceSupport);
        worker.put("offset.flush.interval.ms", "500");
        worker.put("scheduled.rebalance.max.delay.ms", "0");
        worker.put("task.shutdown.graceful.timeout.ms", "10000");
        Properties broker = new Properties();
        broker.put("transaction.state.log.replication.factor", "1");
        broker.put("transaction.state.log.min.isr", "1");
        broker.put("num.network.threads", "2");
        broker.put("num.io.threads", "2");
        EmbeddedConnectCluster c = new EmbeddedConnectCluster.Builder()
                .name(name)
                .numWorkers(2)
                .numBrokers(1)
                .workerProps(worker)
                .brokerProps(broker)
                .maskExitProcedures(true)
                .build();
        c.start();
        Runtime.getRuntime().addShutdownHook(new Thread(c::stop, "connect-cluster-stop"));
        return c;
    }

    /** A name no other test of this JVM uses, for a connector or a topic prefix. */
    public static String freshName(String base) {
        return base + NAMES.incrementAndGet();
    }

    /** The source database as a connector's {@code source} key: without its password. */
    public static String source(TestDatabase db) {
        return "host=" + db.server().host() + " port=" + db.server().port() + " dbname=" + db.name() + " user="
                + db.server().superuser();
    }

    /** Makes sure two workers run (a test may have stopped one). */
    public static synchronized void ensureTwoWorkers(EmbeddedConnectCluster c) {
        while (c.workers().size() < 2) {
            c.addWorker();
        }
        await(Duration.ofSeconds(60), () -> c.healthyWorkers().size() >= 2, "two healthy workers");
    }

    /** The worker running task 0 of {@code connector}. */
    public static WorkerHandle workerOfTask(EmbeddedConnectCluster c, String connector) {
        ConnectorStateInfo status = c.connectorStatus(connector);
        String workerId = status.tasks().get(0).workerId();
        int port = Integer.parseInt(workerId.substring(workerId.lastIndexOf(':') + 1));
        return c.workers().stream()
                .filter(w -> w.url().getPort() == port)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no worker " + workerId));
    }

    /** Whether task 0 of {@code connector} is RUNNING. */
    public static boolean taskRunning(EmbeddedConnectCluster c, String connector) {
        try {
            ConnectorStateInfo s = c.connectorStatus(connector);
            return s.tasks().size() == 1 && s.tasks().get(0).state().equals("RUNNING");
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** The state of task 0 and its trace, for failure messages. */
    public static String taskState(EmbeddedConnectCluster c, String connector) {
        try {
            ConnectorStateInfo s = c.connectorStatus(connector);
            return s.tasks().isEmpty()
                    ? "no task (connector " + s.connector().state() + " "
                            + s.connector().trace() + ")"
                    : s.tasks().get(0).state() + " " + s.tasks().get(0).trace();
        } catch (RuntimeException e) {
            return "unknown: " + e;
        }
    }

    public static void await(Duration limit, BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + limit.toSeconds() + " s waiting for " + what);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what, e);
            }
        }
    }
    /**
     * Creates or updates {@code name}, as {@link EmbeddedConnectCluster#configureConnector} does, again while a worker
     * still forwards writes to a leader that was stopped ({@link #viaLeader}).
     */
    public static void configure(EmbeddedConnectCluster c, String name, Map<String, String> config) {
        viaLeader(() -> c.configureConnector(name, config));
    }

    /** Deletes {@code name}, again while a worker still forwards writes to a leader that was stopped. */
    public static void delete(EmbeddedConnectCluster c, String name) {
        viaLeader(() -> c.deleteConnector(name));
    }

    /**
     * Runs a REST write, which a worker forwards to the group's leader. After a test stops the leader, the other
     * workers name it as leader until the group has rebalanced, which Connect bounds by its session and rebalance
     * timeouts, and answer 500 "IO Error trying to forward REST request" meanwhile: the write is made again until
     * {@link #REBALANCE}.
     */
    static void viaLeader(Runnable write) {
        long deadline = System.nanoTime() + REBALANCE.toNanos();
        while (true) {
            try {
                write.run();
                return;
            } catch (ConnectRestException e) {
                if (!String.valueOf(e.getMessage()).contains("forward REST request") || System.nanoTime() > deadline) {
                    throw e;
                }
            }
            try {
                Thread.sleep(100); // polling interval of a loop bounded by the deadline above
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for the Connect group's leader", e);
            }
        }
    }

    /** Longer than Connect's default rebalance timeout (60 s), which bounds how long a stale leader is named. */
    private static final Duration REBALANCE = Duration.ofSeconds(90);
}
