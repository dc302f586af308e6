package io.pgferry.connect.sink;

import io.pgferry.core.Lsn;
import io.pgferry.core.PgFerryException;
import io.pgferry.jdbc.BatchLedger;
import io.pgferry.jdbc.Dialect;
import io.pgferry.jdbc.foreign.ForeignDialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;

/**
 * The Kafka offsets a sink connector has applied, kept at the destination in {@code connect_offsets}, one row per
 * connector, topic and partition holding the offset of the next record to apply. Each batch writes its rows and the
 * offsets it moves in one transaction ({@link BatchLedger}), so the destination alone says where to resume: a task
 * that starts, or takes a partition over, reads the offsets here and skips every record below them.
 *
 * <p>An offset is moved only from the value this task read ({@code UPDATE ... WHERE next_offset = expected}): when a
 * task that lost its partition in a rebalance, but has not noticed yet, writes after the task that took it over,
 * its batch fails instead of applying records twice. One thread uses an instance.
 */
final class OffsetLedger implements BatchLedger {
    static final String TABLE = "connect_offsets";

    private final Dialect dialect;
    private final String table;
    private final String connector;
    /** The moves of the batch being committed: partition to {expected (or -1 for none), next}. */
    private final Map<TopicPartition, long[]> staged = new LinkedHashMap<>();

    private PreparedStatement update;
    private PreparedStatement insert;

    OffsetLedger(Dialect dialect, String schema, String connector) {
        this.dialect = dialect;
        this.table = dialect.catalogTable(schema, TABLE);
        this.connector = connector;
    }

    /**
     * Creates the schema and table when missing, committing on {@code c}. Tasks of a connector start together, and
     * PostgreSQL's {@code IF NOT EXISTS} does not hold against a concurrent creation (it fails with a duplicate
     * object or key): the statements are then run again, and find what the other task created.
     */
    static void create(Connection c, Dialect dialect, String schema) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(true);
        try {
            runCreating(c, ddl(dialect, schema));
        } finally {
            c.setAutoCommit(auto);
        }
    }

    /**
     * Runs {@code ddl} in auto-commit, again after each failure a concurrent creation explains. Each such failure
     * means another session created one of the objects, so after one per statement every object exists.
     */
    static void runCreating(Connection c, List<String> ddl) throws SQLException {
        for (int attempt = 0; ; attempt++) {
            try (Statement st = c.createStatement()) {
                for (String statement : ddl) {
                    st.execute(statement);
                }
                return;
            } catch (SQLException e) {
                if (attempt >= ddl.size() || !createdConcurrently(e)) {
                    throw e;
                }
            }
        }
    }

    /** duplicate_object, duplicate_table, duplicate_schema, unique_violation (PostgreSQL's catalog race), MySQL's. */
    private static boolean createdConcurrently(SQLException e) {
        String state = e.getSQLState();
        return state != null
                && List.of("42710", "42P07", "42P06", "23505", "42S01", "23000").contains(state);
    }

    private static List<String> ddl(Dialect dialect, String schema) {
        String t = dialect.catalogTable(schema, TABLE);
        String product = dialect instanceof ForeignDialect f ? f.product() : "PostgreSQL";
        return switch (product) {
            case "PostgreSQL" -> List.of(
                    "CREATE SCHEMA IF NOT EXISTS " + dialect.quote(schema),
                    "CREATE TABLE IF NOT EXISTS " + t + " (connector text NOT NULL, topic text NOT NULL,"
                            + " kafka_partition integer NOT NULL, next_offset bigint NOT NULL, updated_at"
                            + " timestamptz NOT NULL, PRIMARY KEY (connector, topic, kafka_partition))");
            case "MySQL", "MariaDB" -> List.of("CREATE TABLE IF NOT EXISTS " + t + " (connector VARCHAR(200) NOT"
                    + " NULL, topic VARCHAR(249) NOT NULL, kafka_partition INT NOT NULL, next_offset BIGINT NOT"
                    + " NULL, updated_at DATETIME(6) NOT NULL, PRIMARY KEY (connector, topic, kafka_partition))"
                    + " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4");
            case "SQLite" -> List.of("CREATE TABLE IF NOT EXISTS " + t + " (connector TEXT NOT NULL, topic TEXT NOT"
                    + " NULL, kafka_partition INTEGER NOT NULL, next_offset INTEGER NOT NULL, updated_at INTEGER NOT"
                    + " NULL, PRIMARY KEY (connector, topic, kafka_partition))");
            default -> List.of(
                    "IF SCHEMA_ID(N'" + schema.replace("'", "''") + "') IS NULL EXEC(N'CREATE SCHEMA "
                            + dialect.quote(schema).replace("'", "''") + "')",
                    "IF OBJECT_ID(N'" + t.replace("'", "''") + "') IS NULL CREATE TABLE " + t + " (connector"
                            + " NVARCHAR(200) NOT NULL, topic VARCHAR(249) NOT NULL, kafka_partition INT NOT NULL,"
                            + " next_offset BIGINT NOT NULL, updated_at DATETIME2(6) NOT NULL, PRIMARY KEY"
                            + " (connector, topic, kafka_partition))");
        };
    }

    /** The stored next offsets of {@code partitions}; a partition without a row is absent. */
    Map<TopicPartition, Long> read(Connection c, Collection<TopicPartition> partitions) throws SQLException {
        Map<TopicPartition, Long> out = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT next_offset FROM " + table + " WHERE connector = ? AND topic = ? AND kafka_partition = ?")) {
            for (TopicPartition tp : partitions) {
                ps.setString(1, connector);
                ps.setString(2, tp.topic());
                ps.setInt(3, tp.partition());
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        out.put(tp, rs.getLong(1));
                    }
                }
            }
        }
        return out;
    }

    /**
     * Stages, for the next {@link #record}, the move of {@code tp} from {@code expected} (-1: no row yet) to {@code
     * next}.
     */
    void stage(TopicPartition tp, long expected, long next) {
        staged.put(tp, new long[] {expected, next});
    }

    /** Forgets the staged moves, after a batch that failed. */
    void clear() {
        staged.clear();
    }

    @Override
    public void record(Connection c, Lsn endLsn, Instant sourceCommitTime) throws SQLException {
        if (update == null) {
            update = c.prepareStatement("UPDATE " + table + " SET next_offset = ?, updated_at = " + dialect.now()
                    + " WHERE connector = ? AND topic = ? AND kafka_partition = ? AND next_offset = ?");
            insert = c.prepareStatement("INSERT INTO " + table
                    + " (connector, topic, kafka_partition, next_offset, updated_at) VALUES (?, ?, ?, ?, "
                    + dialect.now() + ")");
        }
        try {
            for (Map.Entry<TopicPartition, long[]> e : staged.entrySet()) {
                TopicPartition tp = e.getKey();
                long expected = e.getValue()[0];
                long next = e.getValue()[1];
                int moved;
                if (expected < 0) {
                    insert.setString(1, connector);
                    insert.setString(2, tp.topic());
                    insert.setInt(3, tp.partition());
                    insert.setLong(4, next);
                    moved = inserted();
                } else {
                    update.setLong(1, next);
                    update.setString(2, connector);
                    update.setString(3, tp.topic());
                    update.setInt(4, tp.partition());
                    update.setLong(5, expected);
                    moved = update.executeUpdate();
                }
                if (moved != 1) {
                    throw PgFerryException.retriable(
                            "the offset of " + tp + " at the destination moved since this task read it: another task"
                                    + " of the connector applied records of that partition",
                            "nothing to do: the task reads the offsets again and skips what the other applied",
                            null);
                }
            }
        } finally {
            staged.clear();
        }
    }

    /** 1, or 0 when another task inserted the partition's row first (a unique violation, SQLSTATE class 23). */
    private int inserted() throws SQLException {
        try {
            return insert.executeUpdate();
        } catch (SQLException e) {
            if (e.getSQLState() != null && e.getSQLState().startsWith("23")) {
                return 0;
            }
            throw e;
        }
    }

    /** The ledger records Kafka offsets, not a source position. */
    @Override
    public Optional<Lsn> position(Connection probe) {
        return Optional.empty();
    }

    @Override
    public void close() {
        for (PreparedStatement ps : new PreparedStatement[] {update, insert}) {
            try {
                if (ps != null) {
                    ps.close();
                }
            } catch (SQLException e) {
                // The connection is closed next.
            }
        }
        update = null;
        insert = null;
    }

    @Override
    public String toString() {
        return "connector " + connector + "'s offsets";
    }
}
