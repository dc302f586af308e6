package io.pgferry.kafka.event;

import io.pgferry.core.event.Column;
import io.pgferry.core.event.Relation;
import io.pgferry.core.event.ReplicaIdentity;
import io.pgferry.core.value.TypeResolver;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What every encoding of a table's change records needs, worked out once per Relation object (the stream makes a new
 * one whenever the server describes the table again): its topic, its name as Debezium's transaction metadata gives it,
 * each column's {@link ConnectType}, and its key columns. A table has a key when its replica identity names columns
 * (the primary key, or an index), or when its identity is {@code FULL} and its primary key is known from the catalog
 * (pgoutput then flags every column, which is no key); otherwise its records have none. The Kafka destination's
 * JSON ({@code TableShape}) and the Connect source connector's schemas build on it.
 */
public class TableLayout {
    /**
     * The schema parameter of a column that a table's rows held when it was added read a value in: PostgreSQL's text
     * of that value ({@link TableFacts#missingValues}). pgferry's sink connector gives it to those rows when it adds
     * the column.
     */
    public static final String MISSING_VALUE_PARAMETER = "__pgferry.existing";

    private final Relation relation;
    private final TypeResolver types;
    private final String topic;
    private final String dataCollection;
    private final ConnectType[] columnTypes;
    private final List<Map<String, String>> columnParameters;
    private final boolean[] key;
    private final boolean hasKey;

    protected TableLayout(Relation relation, TypeResolver types, Topics topics) {
        this(relation, types, topics, TableFacts.NONE);
    }

    /**
     * Whether records of {@code relation} are keyed by its replica identity: true when it names key columns (a
     * primary key or a unique index), false for REPLICA IDENTITY FULL (pgoutput then flags every column) or NOTHING.
     */
    public static boolean keyedByIdentity(Relation relation) {
        ReplicaIdentity ri = relation.replicaIdentity();
        return ri != ReplicaIdentity.FULL
                && ri != ReplicaIdentity.NOTHING
                && relation.columns().stream().anyMatch(Column::key);
    }

    /** @param facts what the source's catalog says of the table (its primary key, its columns' missing values) */
    protected TableLayout(Relation relation, TypeResolver types, Topics topics, TableFacts facts) {
        List<String> primaryKey = facts.primaryKey();
        this.relation = relation;
        this.types = types;
        this.topic = topics.table(relation.schema(), relation.table());
        this.dataCollection = relation.schema() + "." + relation.table();
        List<Column> columns = relation.columns();
        this.columnTypes = new ConnectType[columns.size()];
        this.key = new boolean[columns.size()];
        List<Map<String, String>> params = new ArrayList<>(columns.size());
        boolean byIdentity = keyedByIdentity(relation);
        boolean byPrimaryKey = !byIdentity
                && relation.replicaIdentity() == ReplicaIdentity.FULL
                && primaryKey != null
                && !primaryKey.isEmpty()
                && columns.stream().map(Column::name).toList().containsAll(primaryKey);
        this.hasKey = byIdentity || byPrimaryKey;
        for (int i = 0; i < columns.size(); i++) {
            Column c = columns.get(i);
            columnTypes[i] = ConnectType.of(c.typeOid(), c.typeModifier(), types);
            Map<String, String> p = ConnectType.sourceParameters(c.typeOid(), c.typeModifier(), types);
            String missing = facts.missingValues().get(c.name());
            if (missing != null) {
                p = new java.util.LinkedHashMap<>(p);
                p.put(MISSING_VALUE_PARAMETER, missing);
            }
            params.add(p);
            key[i] = byIdentity ? c.key() : byPrimaryKey && primaryKey.contains(c.name());
        }
        this.columnParameters = List.copyOf(params);
    }

    public final Relation relation() {
        return relation;
    }

    /** The resolver of the rows the layout was made for. */
    public final TypeResolver types() {
        return types;
    }

    public final String topic() {
        return topic;
    }

    /** The table as Debezium names it in transaction metadata: {@code schema.table}. */
    public final String dataCollection() {
        return dataCollection;
    }

    public final int size() {
        return columnTypes.length;
    }

    public final String columnName(int i) {
        return relation.columns().get(i).name();
    }

    public final int columnOid(int i) {
        return relation.columns().get(i).typeOid();
    }

    public final ConnectType columnType(int i) {
        return columnTypes[i];
    }

    /**
     * The schema parameters of column {@code i}: those that name its source type ({@link
     * ConnectType#sourceParameters}), and {@link #MISSING_VALUE_PARAMETER} where the column has a missing value.
     */
    public final Map<String, String> columnParameters(int i) {
        return columnParameters.get(i);
    }

    public final boolean isKey(int i) {
        return key[i];
    }

    public final boolean hasKey() {
        return hasKey;
    }
}
