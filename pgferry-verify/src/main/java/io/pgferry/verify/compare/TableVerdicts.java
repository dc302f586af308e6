package io.pgferry.verify.compare;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/** What was decided for each bucket of one table. */
final class TableVerdicts {
    private record Verdict(
            boolean compared, boolean live, BucketStatus status, Long publisherRows, Long subscriberRows) {}

    private final TreeMap<Long, Verdict> verdicts = new TreeMap<>();

    /** Records a comparison of two states (null: absent on that side). */
    void compared(long bucket, BucketState publisher, BucketState subscriber, boolean live) {
        verdicts.put(
                bucket,
                new Verdict(true, live, BucketStatus.of(publisher, subscriber), rows(publisher), rows(subscriber)));
    }

    /** Records a bucket that could not be compared (dirty or unstable), unless already decided. */
    void skipped(long bucket) {
        verdicts.putIfAbsent(bucket, new Verdict(false, false, null, null, null));
    }

    boolean isSkipped(long bucket) {
        Verdict v = verdicts.get(bucket);
        return v != null && !v.compared();
    }

    List<Long> skippedBuckets() {
        return verdicts.entrySet().stream()
                .filter(e -> !e.getValue().compared())
                .map(java.util.Map.Entry::getKey)
                .toList();
    }

    long buckets() {
        return verdicts.size();
    }

    long compared() {
        return verdicts.values().stream().filter(Verdict::compared).count();
    }

    VerifyReport.TableResult result(TablePair p) {
        List<VerifyReport.Divergence> divergences = new ArrayList<>();
        long live = 0;
        for (var e : verdicts.entrySet()) {
            Verdict v = e.getValue();
            if (v.live()) {
                live++;
            }
            if (v.status() != null) {
                divergences.add(
                        new VerifyReport.Divergence(e.getKey(), v.status(), v.publisherRows(), v.subscriberRows()));
            }
        }
        return new VerifyReport.TableResult(
                p.schema,
                p.table,
                p.layout(),
                buckets(),
                compared(),
                live,
                buckets() - compared(),
                divergences,
                p.problems);
    }

    private static Long rows(BucketState s) {
        return s == null || !s.present() ? null : s.rows();
    }
}
