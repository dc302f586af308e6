package io.pgferry.verify.inspect;

import io.pgferry.postgres.catalog.Identifiers;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The statements that make a subscriber's bucket equal to the publisher's: {@code INSERT ... ON CONFLICT (key) DO
 * UPDATE} with the publisher's row for rows missing or changed, {@code DELETE} by key for rows the publisher does not
 * have. Generated columns are left to the database; identity columns that are {@code GENERATED ALWAYS} are written
 * with {@code OVERRIDING SYSTEM VALUE}. Values are literals cast to the subscriber's column types, in the text form
 * of the pinned settings ({@link #SETTINGS} come first when the plan is run).
 */
public final class RepairPlan {
    /** Settings under which the literals read back as the values they came from. */
    public static final List<String> SETTINGS = List.of(
            "SET LOCAL standard_conforming_strings = on",
            "SET LOCAL TimeZone = 'UTC'",
            "SET LOCAL DateStyle = 'ISO, YMD'",
            "SET LOCAL IntervalStyle = 'postgres'",
            "SET LOCAL bytea_output = 'hex'",
            "SET LOCAL lc_monetary = 'C'");

    private RepairPlan() {}

    /** The statements for {@code diffs}, in key order, without the settings. */
    static List<String> statements(String relation, List<String> key, List<ColumnInfo> columns, List<RowDiff> diffs) {
        List<String> out = new ArrayList<>();
        for (RowDiff d : diffs) {
            if (d.kind() == RowDiff.Kind.MISSING_ON_PUBLISHER) {
                out.add("DELETE FROM " + relation + " WHERE " + keyPredicate(key, columns, d.key()));
            } else {
                out.add(upsert(relation, key, columns, d.publisher()));
            }
        }
        return out;
    }

    private static String upsert(String relation, List<String> key, List<ColumnInfo> columns, Map<String, String> row) {
        List<ColumnInfo> written = columns.stream().filter(c -> !c.generated()).toList();
        boolean overriding = written.stream().anyMatch(ColumnInfo::identityAlways);
        String names = written.stream().map(c -> Identifiers.quote(c.name())).collect(Collectors.joining(", "));
        String values =
                written.stream().map(c -> literal(row.get(c.name()), c.type())).collect(Collectors.joining(", "));
        List<ColumnInfo> updated =
                written.stream().filter(c -> !key.contains(c.name())).toList();
        String conflict =
                " ON CONFLICT (" + key.stream().map(Identifiers::quote).collect(Collectors.joining(", "))
                        + ") DO "
                        + (updated.isEmpty()
                                ? "NOTHING"
                                : "UPDATE SET "
                                        + updated.stream()
                                                .map(c -> Identifiers.quote(c.name()) + " = EXCLUDED."
                                                        + Identifiers.quote(c.name()))
                                                .collect(Collectors.joining(", ")));
        return "INSERT INTO " + relation + " (" + names + ")" + (overriding ? " OVERRIDING SYSTEM VALUE" : "")
                + " VALUES (" + values + ")" + conflict;
    }

    private static String keyPredicate(List<String> key, List<ColumnInfo> columns, Map<String, String> values) {
        List<String> parts = new ArrayList<>();
        for (String k : key) {
            String type = columns.stream()
                    .filter(c -> c.name().equals(k))
                    .map(ColumnInfo::type)
                    .findFirst()
                    .orElseThrow();
            parts.add(Identifiers.quote(k) + " = " + literal(values.get(k), type));
        }
        return String.join(" AND ", parts);
    }

    /** {@code 'text'::type} with quotes doubled (standard_conforming_strings on), or {@code NULL::type}. */
    static String literal(String value, String type) {
        return (value == null ? "NULL" : "'" + value.replace("'", "''") + "'") + "::" + type;
    }
}
