package io.pgferry.scan.alert;

import io.pgferry.scan.Finding;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Hands findings to the channels their rules route to, once per deduplication window, and makes them durable on
 * {@link #flush}: every channel first, then the deduplication marks (see {@link Channel} and {@link DedupStore} for
 * why in that order). Thread-safe: the snapshot's workers and the stream's thread share one.
 */
public final class Alerts implements AutoCloseable {
    private final List<Channel> channels;
    private final DedupStore dedup;
    private final Clock clock;
    private long delivered;
    private long suppressed;
    private volatile java.util.function.Consumer<Finding> onDelivered = f -> {};

    public Alerts(List<Channel> channels, DedupStore dedup, Clock clock) {
        if (channels.isEmpty()) {
            throw new IllegalArgumentException("no channel: findings would go nowhere");
        }
        this.channels = List.copyOf(channels);
        this.dedup = dedup;
        this.clock = clock;
    }

    /**
     * Delivers the findings not seen within the window. If a channel fails, the deduplication marks since the last
     * flush are rolled back, so the findings count as undelivered and a retry delivers them.
     */
    public synchronized void deliver(List<Finding> findings) throws IOException {
        if (findings.isEmpty()) {
            return;
        }
        List<Finding> fresh = new ArrayList<>(findings.size());
        for (Finding f : findings) {
            if (dedup.firstSeen(f.dedupKey(), clock.instant())) {
                fresh.add(f);
            } else {
                suppressed++;
            }
        }
        try {
            for (Channel c : channels) {
                List<Finding> routed =
                        fresh.stream().filter(f -> f.routesTo(c.name())).toList();
                if (!routed.isEmpty()) {
                    c.deliver(routed);
                }
            }
        } catch (IOException | RuntimeException e) {
            dedup.rollback();
            throw e;
        }
        delivered += fresh.size();
        for (Finding f : fresh) {
            onDelivered.accept(f);
        }
    }

    /** Called with every finding handed to the channels (for metrics by rule and severity); must not block. */
    public void onDelivered(java.util.function.Consumer<Finding> listener) {
        this.onDelivered = listener;
    }

    /** Makes every finding delivered so far durable at every channel, then the deduplication marks. */
    public synchronized void flush() throws IOException {
        try {
            for (Channel c : channels) {
                c.flush();
            }
        } catch (IOException | RuntimeException e) {
            dedup.rollback();
            throw e;
        }
        dedup.commit();
    }

    /** The channels, in routing order. */
    public List<Channel> channels() {
        return channels;
    }

    public synchronized long delivered() {
        return delivered;
    }

    /** Findings not delivered because an equal one was within the window. */
    public synchronized long suppressed() {
        return suppressed;
    }

    @Override
    public synchronized void close() throws IOException {
        IOException first = null;
        for (Channel c : channels) {
            try {
                c.close();
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        dedup.close();
        if (first != null) {
            throw first;
        }
    }
}
