package io.pgferry.scan.alert;

import io.pgferry.scan.Finding;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Findings as warnings of the logger {@code pgferry.findings}, one line each. */
public final class LogChannel implements Channel {
    private static final Logger LOG = LoggerFactory.getLogger("pgferry.findings");

    @Override
    public String name() {
        return "log";
    }

    @Override
    public void deliver(List<Finding> findings) {
        for (Finding f : findings) {
            LOG.warn("finding: {}", FindingText.of(f));
        }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
}
