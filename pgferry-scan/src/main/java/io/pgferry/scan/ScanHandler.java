package io.pgferry.scan;

import io.pgferry.core.PgFerryException;
import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.Transaction;
import io.pgferry.core.event.TransactionHandler;
import io.pgferry.scan.alert.Alerts;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Scans every inserted and updated row of each transaction and delivers its findings, acknowledging the
 * transaction only once they are durable at every channel ({@link Alerts#flush}): the slot's position never passes
 * a finding that was not handed over, so a crash loses none (pgsense-rs acknowledged before it scanned).
 * Acknowledgements are grouped: one flush per {@code flushIntervalNanos} while busy, and one when the stream is
 * idle. Deleted rows and old row images are not scanned: what they hold was scanned when it was written.
 */
public final class ScanHandler implements TransactionHandler {
    private final FindingMaker maker;
    private final Alerts alerts;
    private final long flushIntervalNanos;
    private Transaction unacked;
    private long lastFlush = System.nanoTime();
    private long rows;

    ScanHandler(FindingMaker maker, Alerts alerts, long flushIntervalNanos) {
        this.maker = maker;
        this.alerts = alerts;
        this.flushIntervalNanos = flushIntervalNanos;
    }

    @Override
    public void onTransaction(Transaction tx) throws IOException {
        List<Finding> found = new ArrayList<>(0);
        for (ChangeEvent change : tx) {
            if (change instanceof ChangeEvent.Insert i) {
                found.addAll(maker.scan(i.after(), "insert", tx.commitLsn(), tx.commitTime()));
            } else if (change instanceof ChangeEvent.Update u) {
                found.addAll(maker.scan(u.after(), "update", tx.commitLsn(), tx.commitTime()));
            } else if (change instanceof ChangeEvent.Read r) {
                found.addAll(maker.scan(r.after(), "read", tx.commitLsn(), null));
            }
            rows++;
        }
        try {
            alerts.deliver(found);
        } catch (IOException e) {
            throw undelivered(e);
        }
        unacked = tx;
        if (System.nanoTime() - lastFlush >= flushIntervalNanos) {
            flushAndAck();
        }
    }

    @Override
    public void onIdle() throws IOException {
        flushAndAck();
    }

    private void flushAndAck() throws IOException {
        lastFlush = System.nanoTime();
        if (unacked == null) {
            return;
        }
        try {
            alerts.flush();
        } catch (IOException e) {
            throw undelivered(e);
        }
        unacked.ack();
        unacked = null;
    }

    /** Changes scanned so far (every change of every transaction, deletes included). */
    public long changes() {
        return rows;
    }

    private static PgFerryException undelivered(IOException e) {
        return PgFerryException.retriable(
                "cannot deliver findings: " + e.getMessage(),
                "check the channel's path, space and permissions; the findings are delivered again on retry",
                e);
    }
}
