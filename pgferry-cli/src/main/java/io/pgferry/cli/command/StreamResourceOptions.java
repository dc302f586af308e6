package io.pgferry.cli.command;

import io.pgferry.cli.config.DurationConverter;
import io.pgferry.cli.config.SizeConverter;
import io.pgferry.postgres.StreamConfig;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/** Memory, spill and retry limits of a command that reads a stream: {@code stream} and {@code sync}. */
public final class StreamResourceOptions {
    @Option(
            names = "--memory-limit",
            paramLabel = "SIZE",
            defaultValue = StreamConfig.Builder.DEFAULT_MEMORY_LIMIT_MB + "MB",
            converter = SizeConverter.class,
            description = "Off-heap memory for transactions in flight before spilling to disk"
                    + " (default: ${DEFAULT-VALUE}).")
    public long memoryLimit;

    @Option(names = "--spill-dir", paramLabel = "DIR", description = "Where spill files go (default: temp dir).")
    public Path spillDir;

    @Option(
            names = "--max-retry-time",
            paramLabel = "DURATION",
            defaultValue = StreamConfig.Builder.DEFAULT_MAX_RETRY_MINUTES + "min",
            converter = DurationConverter.class,
            description = "Give up reconnecting after this long (default: ${DEFAULT-VALUE}).")
    public Duration maxRetryTime;
}
