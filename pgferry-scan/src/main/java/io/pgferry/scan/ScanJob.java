package io.pgferry.scan;

import io.pgferry.postgres.ChangeStream;
import io.pgferry.postgres.StreamConfig;
import io.pgferry.postgres.StreamStats;
import io.pgferry.postgres.connect.Dsn;
import io.pgferry.scan.alert.Alerts;
import java.time.Duration;

/**
 * One database's scan: the change stream of its publication through a {@link ScanHandler}, and first, when asked,
 * the rows that already exist ({@link SnapshotScan}). {@link #run} blocks until the stream ends; {@link #stop} from
 * another thread (a signal's) drains: the transaction in hand is finished, its findings flushed, the position
 * saved. One job runs once; to try again after a failure, make a new one ({@link ScanSupervisor} does).
 *
 * <pre>{@code
 * ScanJob job = new ScanJob(StreamConfig.builder().source(dsn).slot("scan_slot"), scanner, alerts,
 *         Fingerprints.fromFile(secret), true, 4);
 * job.run();
 * }</pre>
 */
public final class ScanJob {
    private static final long FLUSH_INTERVAL_NANOS = Duration.ofMillis(200).toNanos();

    private final Dsn source;
    private final ChangeStream stream;
    private final ScanHandler handler;
    private final SnapshotScan snapshot;
    private final PrimaryKeys primaryKeys;
    private volatile boolean stopped;

    /**
     * Validates the stream's configuration (a bad value throws here, before anything is created).
     *
     * @param streamConfig the stream: source, publication, slot, tables, until-caught-up; its initial copy is set here
     * @param snapshot scan the rows that exist when the slot is created (needs a new slot)
     * @param workers threads that read and scan the snapshot
     */
    public ScanJob(
            StreamConfig.Builder streamConfig,
            Scanner scanner,
            Alerts alerts,
            Fingerprints fingerprints,
            boolean snapshot,
            int workers) {
        StreamConfig probe = streamConfig.build();
        this.source = probe.source();
        this.primaryKeys = new PrimaryKeys(source);
        FindingMaker maker =
                new FindingMaker(identity(source), scanner, fingerprints, KeyColumns.replicaIdentityOr(primaryKeys));
        this.handler = new ScanHandler(maker, alerts, FLUSH_INTERVAL_NANOS);
        this.snapshot = snapshot ? new SnapshotScan(source, scanner, maker, alerts, workers) : null;
        if (snapshot) {
            streamConfig.initialCopy(this.snapshot);
        }
        this.stream = ChangeStream.create(streamConfig.build(), handler);
    }

    /**
     * The identity findings name a database by: {@code host:port/dbname}, so that two servers on one host, or two
     * databases of one server, are told apart (pgsense-rs left the port out).
     */
    public static String identity(Dsn dsn) {
        return dsn.host() + ":" + dsn.port() + "/" + dsn.dbname();
    }

    /** Streams (after the snapshot, if asked) until stopped or caught up; throws what stopped it. */
    public void run() {
        if (stopped) {
            return;
        }
        try {
            stream.run();
        } finally {
            primaryKeys.close();
        }
    }

    /**
     * Asks the scan to drain and stop (a job not yet running will not start), and waits for it: the transaction in
     * hand is finished, its findings flushed and its position confirmed.
     */
    public void stop() {
        stopped = true;
        stream.stop();
    }

    /** Where the job's stream is: starting, reading the snapshot, streaming, stopping, stopped. */
    public ChangeStream.State streamState() {
        return stream.state();
    }

    public StreamStats streamStats() {
        return stream.stats();
    }

    /** Changes of the stream scanned. */
    public long changes() {
        return handler.changes();
    }

    /** Rows of the snapshot scanned (0 without one). */
    public long snapshotRows() {
        return snapshot == null ? 0 : snapshot.rows();
    }

    public String database() {
        return identity(source);
    }
}
