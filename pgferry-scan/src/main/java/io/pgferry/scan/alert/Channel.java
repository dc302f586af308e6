package io.pgferry.scan.alert;

import io.pgferry.scan.Finding;
import java.io.IOException;
import java.util.List;

/**
 * Where findings go: a log, standard output, a JSON-lines file, and the like.
 *
 * <p><b>Durability contract.</b> {@link #deliver} hands findings over; once {@link #flush} returns, every finding
 * delivered before it is durable at the channel (forced to disk for a file; written to the stream for standard
 * output; passed to the logging framework for the log). A scan confirms a source position only after every channel's
 * {@code flush} returned, so a crash at any instant loses no finding; one delivered but not yet confirmed may be
 * delivered again after a restart (at-least-once).
 *
 * <p><b>Threading.</b> Called by one thread at a time (the scan's), never concurrently. {@link #deliver} must not
 * block on a remote peer: a channel that talks to one (a webhook, Slack) writes to its outbox and sends from a thread
 * of its own.
 *
 * <p>A channel never writes a raw value anywhere: findings carry masked samples only, and a channel's errors must not
 * quote them either.
 */
public interface Channel extends AutoCloseable {
    /** The name rules route by ({@code channels = ["jsonl"]}). */
    String name();

    /** Hands over the findings of one transaction, in order; they may be buffered until {@link #flush}. */
    void deliver(List<Finding> findings) throws IOException;

    /** Makes everything delivered so far durable (see the class comment). */
    void flush() throws IOException;

    @Override
    void close() throws IOException;
}
