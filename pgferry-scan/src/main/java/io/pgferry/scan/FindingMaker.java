package io.pgferry.scan;

import io.pgferry.core.Lsn;
import io.pgferry.core.event.Relation;
import io.pgferry.core.event.Row;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the hits of one row into findings: masks the matched text, fingerprints it, and attaches the row's key
 * columns (masked where a rule matched them; left out where the scope excludes them). The raw value goes no further.
 */
final class FindingMaker {
    private final String database;
    private final Scanner scanner;
    private final Fingerprints fingerprints;
    private final KeyColumns keyColumns;

    FindingMaker(String database, Scanner scanner, Fingerprints fingerprints, KeyColumns keyColumns) {
        this.database = database;
        this.scanner = scanner;
        this.fingerprints = fingerprints;
        this.keyColumns = keyColumns;
    }

    /** The findings of one row; empty when no rule matched. */
    List<Finding> scan(Row row, String op, Lsn commitLsn, Instant commitTime) {
        List<Hit> hits = scanner.scan(row);
        if (hits.isEmpty()) {
            return List.of();
        }
        Relation rel = row.relation();
        Map<String, String> key = key(row, hits);
        List<Finding> out = new ArrayList<>(hits.size());
        for (Hit h : hits) {
            out.add(new Finding(
                    database,
                    rel.schema(),
                    rel.table(),
                    h.column(),
                    h.path(),
                    h.rule().id(),
                    h.rule().category(),
                    h.rule().severity(),
                    h.rule().description(),
                    Masking.sample(h.matched()),
                    key,
                    op,
                    commitLsn,
                    commitTime,
                    fingerprints.of(h.rule().id(), h.matched()),
                    h.rule().channels()));
        }
        return out;
    }

    private Map<String, String> key(Row row, List<Hit> hits) {
        Relation rel = row.relation();
        Map<String, String> key = new LinkedHashMap<>();
        for (String name : keyColumns.of(rel)) {
            int i = rel.indexOf(name);
            if (i < 0 || scanner.scope().excludesColumn(name) || row.isUnchangedToast(i)) {
                continue;
            }
            String v = row.text(i);
            if (v != null) {
                boolean matched = hits.stream().anyMatch(h -> h.columnIndex() == i);
                key.put(name, matched ? Masking.sample(v) : v);
            }
        }
        return key;
    }
}
