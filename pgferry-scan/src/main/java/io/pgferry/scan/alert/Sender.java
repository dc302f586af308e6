package io.pgferry.scan.alert;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * Sends findings to a remote peer (a webhook, Slack, a PostgreSQL table) from an {@link OutboxChannel}'s thread.
 * {@link #send} returns only when the peer has the whole batch; anything it throws means the batch is sent again.
 */
interface Sender extends AutoCloseable {
    /** The most findings one call takes. */
    int maxBatch();

    /**
     * How long to let findings gather before sending a batch smaller than {@link #maxBatch()}: fewer, fuller
     * messages for a peer that limits their rate. Zero sends at once.
     */
    default Duration batchWindow() {
        return Duration.ZERO;
    }

    /**
     * @param findings findings as JSON objects ({@link FindingJson})
     * @throws RetryLater when the peer asked to be left alone for a while (HTTP 429 with Retry-After)
     */
    void send(List<String> findings) throws IOException;

    /**
     * What to log of a failure: no URL (a Slack webhook URL is a secret), no header, no body, no finding. The channel's
     * name is logged beside it.
     */
    String describe(IOException failure);

    @Override
    default void close() {}

    /** The peer asked for a pause before the next try. */
    final class RetryLater extends IOException {
        private static final long serialVersionUID = 1L;
        private final Duration after;

        RetryLater(String message, Duration after) {
            super(message);
            this.after = after;
        }

        Duration after() {
            return after;
        }
    }
}
