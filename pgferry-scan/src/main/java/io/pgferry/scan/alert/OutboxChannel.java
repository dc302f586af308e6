package io.pgferry.scan.alert;

import io.pgferry.scan.Finding;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A channel to a remote peer: {@link #deliver} and {@link #flush} only write to the local {@link Outbox} (so a slow
 * or unreachable peer never stalls scanning, pgsense-rs's Slack channel did), and a thread of the channel's own sends
 * from the outbox, retrying with backoff (1 s doubling to 1 min, or what the peer's Retry-After says) for as long as
 * it takes, without limit. What is unsent when the process stops stays in the outbox and is sent after the next
 * start.
 */
public final class OutboxChannel implements Channel {
    private static final Logger LOG = LoggerFactory.getLogger(OutboxChannel.class);
    private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(1);

    private final String name;
    private final Outbox outbox;
    private final Sender sender;
    private final Thread thread;
    private final Duration drainOnClose;
    private volatile boolean closing;
    private final AtomicLong sentFindings = new AtomicLong();
    private final AtomicLong failedSends = new AtomicLong();
    /** Counted down by {@link #close}: ends a batch window or a backoff at once. */
    private final CountDownLatch closed = new CountDownLatch(1);

    /**
     * @param drainOnClose how long {@link #close} waits for the outbox to empty before it leaves the rest for the
     *     next start
     */
    OutboxChannel(String name, Outbox outbox, Sender sender, Duration drainOnClose) {
        this.name = name;
        this.outbox = outbox;
        this.sender = sender;
        this.drainOnClose = drainOnClose;
        this.thread = new Thread(this::sendLoop, "pgferry-alert-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void deliver(List<Finding> findings) {
        for (Finding f : findings) {
            outbox.append(FindingJson.of(f));
        }
    }

    @Override
    public void flush() throws IOException {
        outbox.flush();
    }

    /** Findings the peer accepted. */
    public long sent() {
        return sentFindings.get();
    }

    /** Sends that failed (each retried later). */
    public long failures() {
        return failedSends.get();
    }

    /** Bytes of findings in the outbox not sent yet. */
    public long pendingBytes() {
        return outbox.pendingBytes();
    }

    /** True when every finding flushed to the outbox has been sent. */
    public boolean isDrained() {
        return outbox.isDrained();
    }

    private void sendLoop() {
        Duration backoff = FIRST_BACKOFF;
        boolean failing = false;
        while (!closing || !outbox.isDrained()) {
            try {
                Outbox.Batch batch = outbox.next(sender.maxBatch());
                if (batch.lines().isEmpty()) {
                    if (closing) {
                        return;
                    }
                    outbox.awaitWork(1_000);
                    continue;
                }
                if (batch.lines().size() < sender.maxBatch()
                        && !sender.batchWindow().isZero()
                        && !closing) {
                    closed.await(sender.batchWindow().toMillis(), TimeUnit.MILLISECONDS); // lets a batch fill
                    batch = outbox.next(sender.maxBatch());
                }
                sender.send(batch.lines());
                outbox.sentUpTo(batch.end());
                sentFindings.addAndGet(batch.lines().size());
                if (failing) {
                    LOG.info("channel {}: delivering again", name);
                    failing = false;
                }
                backoff = FIRST_BACKOFF;
            } catch (InterruptedException e) {
                return;
            } catch (IOException e) {
                failedSends.incrementAndGet();
                Duration wait = e instanceof Sender.RetryLater r ? r.after() : backoff;
                LOG.warn(
                        "channel {}: {}; findings stay in the outbox, retrying in {} ms",
                        name,
                        sender.describe(e),
                        wait.toMillis());
                failing = true;
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
                try {
                    closed.await(wait.toMillis(), TimeUnit.MILLISECONDS); // a backoff, cut short by close
                } catch (InterruptedException ie) {
                    return;
                }
            } catch (RuntimeException e) {
                failedSends.incrementAndGet();
                LOG.error(
                        "channel {}: sender failed ({}); retrying",
                        name,
                        e.getClass().getName());
                try {
                    closed.await(backoff.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    @Override
    public void close() throws IOException {
        flush();
        closing = true;
        closed.countDown();
        synchronized (outbox) {
            outbox.notifyAll();
        }
        try {
            thread.join(drainOnClose.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            thread.interrupt();
            LOG.info(
                    "channel {}: findings not yet sent stay in the outbox {} for the next start",
                    name,
                    outbox.directory());
        }
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sender.close();
        outbox.close();
    }
}
