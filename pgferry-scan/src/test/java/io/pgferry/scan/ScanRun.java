package io.pgferry.scan;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgferry.core.checkpoint.FileCheckpointStore;
import io.pgferry.postgres.StreamConfig;
import io.pgferry.scan.alert.Alerts;
import io.pgferry.scan.alert.Channel;
import io.pgferry.scan.alert.DedupStore;
import io.pgferry.scan.alert.JsonLinesChannel;
import io.pgferry.scan.rules.RuleSet;
import io.pgferry.scan.rules.Scope;
import io.pgferry.testkit.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Runs a scan of a test database until caught up, findings to a JSON-lines file, state in a directory. */
final class ScanRun {
    private final TestDatabase db;
    private final Path dir;
    private Scope scope = Scope.ALL;
    private Duration dedupWindow = Duration.ZERO;
    private boolean snapshot;
    private List<Channel> extraChannels = List.of();
    private boolean untilCaughtUp = true;
    private boolean numbers;

    ScanRun(TestDatabase db, Path dir) {
        this.db = db;
        this.dir = dir;
    }

    ScanRun scope(Scope s) {
        scope = s;
        return this;
    }

    ScanRun dedupWindow(Duration d) {
        dedupWindow = d;
        return this;
    }

    ScanRun numbers(boolean on) {
        numbers = on;
        return this;
    }

    ScanRun snapshot(boolean on) {
        snapshot = on;
        return this;
    }

    ScanRun channels(List<Channel> more) {
        extraChannels = more;
        return this;
    }

    Path findingsFile() {
        return dir.resolve("findings.jsonl");
    }

    StreamConfig.Builder stream() {
        return StreamConfig.builder()
                .source(db.uri())
                .publication("scan_pub")
                .slot("scan_slot")
                .tables("public.t")
                .untilCaughtUp(untilCaughtUp)
                .checkpointStore(new FileCheckpointStore(dir.resolve("scan.checkpoint")));
    }

    /** One run until caught up; returns the job for its counters. */
    ScanJob run() throws IOException {
        try (Alerts alerts = alerts()) {
            ScanJob job = job(alerts);
            assertTimeoutPreemptively(Duration.ofSeconds(120), job::run);
            return job;
        }
    }

    /** A run that goes on until {@link Running#close()}: stops the job, then closes the channels. */
    Running start() throws IOException {
        untilCaughtUp = false;
        Alerts alerts = alerts();
        ScanJob job = job(alerts);
        Thread t = new Thread(job::run, "scan-under-test");
        t.start();
        return new Running(job, alerts, t);
    }

    record Running(ScanJob job, Alerts alerts, Thread thread) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            job.stop();
            try {
                thread.join(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            alerts.close();
        }
    }

    private Alerts alerts() throws IOException {
        List<Channel> channels = new ArrayList<>(extraChannels);
        channels.add(0, new JsonLinesChannel(findingsFile()));
        return new Alerts(channels, new DedupStore(dir.resolve("dedup"), dedupWindow), Clock.systemUTC());
    }

    private ScanJob job(Alerts alerts) {
        return new ScanJob(
                stream(),
                new Scanner(RuleSet.bundled(), scope, numbers),
                alerts,
                Fingerprints.fromFile(dir.resolve("secret")),
                snapshot,
                2);
    }

    /** The findings written so far, parsed. */
    List<JsonNode> findings() throws IOException {
        List<JsonNode> out = new ArrayList<>();
        if (!Files.exists(findingsFile())) {
            return out;
        }
        ObjectMapper m = new ObjectMapper();
        for (String line : Files.readAllLines(findingsFile())) {
            if (!line.isBlank()) {
                out.add(m.readTree(line));
            }
        }
        return out;
    }
}
