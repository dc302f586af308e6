package io.pgferry.scan;

import io.pgferry.core.Lsn;
import io.pgferry.core.PgFerryException;
import io.pgferry.core.event.Column;
import io.pgferry.core.event.Relation;
import io.pgferry.core.event.ReplicaIdentity;
import io.pgferry.core.event.Row;
import io.pgferry.core.value.BuiltinTypes;
import io.pgferry.postgres.CopyTextRow;
import io.pgferry.postgres.InitialCopy;
import io.pgferry.postgres.catalog.Identifiers;
import io.pgferry.postgres.catalog.TableName;
import io.pgferry.postgres.connect.Connections;
import io.pgferry.postgres.connect.Dsn;
import io.pgferry.scan.alert.Alerts;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyOut;

/**
 * Scans the rows that exist when the slot is created (pgsense-rs never did), under the slot's exported snapshot, so
 * that together with the stream that follows every row is scanned once (see {@link #resumable()} for a restart). Tables are read in parallel, largest
 * first, each on a connection of its own that imports the snapshot (PostgreSQL docs, "Exported Snapshots"); only the
 * columns some rule scans and the primary key are read. Rows go to a pool of scanning threads in batches, so one
 * large table keeps every core busy. Returns once every finding is durable at every channel: the stream then
 * confirms the consistent point.
 */
final class SnapshotScan implements InitialCopy {
    private static final int BATCH = 2_000;
    private static final String COLUMNS = "SELECT a.attname,"
            + " CASE WHEN t.typtype = 'd' THEN t.typbasetype WHEN t.typname = 'citext' THEN "
            + BuiltinTypes.TEXT + " ELSE a.atttypid END,"
            + " a.atttypmod, COALESCE(a.attnum = ANY(pk.indkey), false), c.oid, c.relreplident"
            + " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
            + " JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid"
            + " JOIN pg_catalog.pg_type t ON t.oid = a.atttypid"
            + " LEFT JOIN pg_catalog.pg_index pk ON pk.indrelid = c.oid AND pk.indisprimary"
            + " WHERE n.nspname = ? AND c.relname = ? AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum";
    private static final String SIZES = "SELECT pg_catalog.pg_relation_size(c.oid) FROM pg_catalog.pg_class c"
            + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relname = ?";

    private final Dsn source;
    private final FindingMaker maker;
    private final Scanner scanner;
    private final Alerts alerts;
    private final int workers;
    private final AtomicLong rows = new AtomicLong();

    SnapshotScan(Dsn source, Scanner scanner, FindingMaker maker, Alerts alerts, int workers) {
        this.source = source;
        this.scanner = scanner;
        this.maker = maker;
        this.alerts = alerts;
        this.workers = workers;
    }

    /**
     * A scan stopped during its snapshot (killed, or its database went down) is called again on the slot it created,
     * with no exported snapshot left to import: it then reads the rows as they are now. Rows changed in between are
     * also streamed from the slot, so they may be reported twice, never missed (at-least-once).
     */
    @Override
    public boolean resumable() {
        return true;
    }

    /** Rows scanned so far. */
    long rows() {
        return rows.get();
    }

    @Override
    public void copy(String snapshotName, Lsn consistentPoint, List<TableName> tables) throws Exception {
        List<Sized> plan = new ArrayList<>();
        try (Connection c = Connections.open(source)) {
            for (TableName t : tables) {
                Relation full = describe(c, t);
                // Domains and citext are resolved to base types in the query: no resolver needed.
                int[] scanned = scanner.scannedColumns(full, oid -> null);
                if (scanned.length > 0) {
                    plan.add(new Sized(narrow(full, scanned), size(c, t)));
                }
            }
        }
        plan.sort((a, b) -> Long.compare(b.bytes, a.bytes));
        int readers = Math.max(1, Math.min(workers, plan.size()));
        ExecutorService readPool = Executors.newFixedThreadPool(readers, named("pgferry-snapshot-read"));
        // Bounded, and the reader scans a batch itself when the pool is behind: backpressure without buffering a table.
        ThreadPoolExecutor scanPool = new ThreadPoolExecutor(
                workers,
                workers,
                0,
                TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(workers * 2),
                named("pgferry-snapshot-scan"),
                new ThreadPoolExecutor.CallerRunsPolicy());
        try {
            List<Future<?>> reads = new ArrayList<>();
            for (Sized s : plan) {
                reads.add(readPool.submit(() -> {
                    read(snapshotName, s.relation, consistentPoint, scanPool);
                    return null;
                }));
            }
            for (Future<?> f : reads) {
                await(f);
            }
            scanPool.shutdown();
            if (!scanPool.awaitTermination(1, TimeUnit.DAYS)) {
                throw new IllegalStateException("the snapshot's scanning threads did not finish");
            }
            alerts.flush();
        } finally {
            readPool.shutdownNow();
            scanPool.shutdownNow();
        }
    }

    private void read(String snapshotName, Relation relation, Lsn at, ThreadPoolExecutor scanPool)
            throws SQLException, IOException, InterruptedException, ExecutionException {
        List<Future<?>> batches = new ArrayList<>();
        try (Connection c = Connections.open(source)) {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try (Statement st = c.createStatement()) {
                st.execute("SET TRANSACTION READ ONLY");
                if (snapshotName != null) {
                    st.execute("SET TRANSACTION SNAPSHOT '" + snapshotName.replace("'", "''") + "'");
                }
            }
            String columns = relation.columns().stream()
                    .map(col -> Identifiers.quote(col.name()))
                    .collect(Collectors.joining(", "));
            CopyOut copy = c.unwrap(PGConnection.class)
                    .getCopyAPI()
                    .copyOut("COPY (SELECT " + columns + " FROM ONLY "
                            + Identifiers.qualified(relation.schema(), relation.table()) + ") TO STDOUT");
            List<byte[]> batch = new ArrayList<>(BATCH);
            byte[] line;
            while ((line = copy.readFromCopy()) != null) {
                batch.add(line);
                if (batch.size() == BATCH) {
                    batches.add(submit(scanPool, relation, batch, at));
                    batch = new ArrayList<>(BATCH);
                    batches.removeIf(Future::isDone);
                }
            }
            batches.add(submit(scanPool, relation, batch, at));
            c.commit();
        }
        for (Future<?> f : batches) {
            f.get();
        }
    }

    private Future<?> submit(ThreadPoolExecutor pool, Relation relation, List<byte[]> lines, Lsn at) {
        return pool.submit(() -> {
            List<Finding> found = new ArrayList<>(0);
            int n = relation.columns().size();
            for (byte[] line : lines) {
                Row row = new Row(relation, CopyTextRow.parse(line, n), oid -> null, false);
                found.addAll(maker.scan(row, "read", at, null));
            }
            rows.addAndGet(lines.size());
            alerts.deliver(found);
            return null;
        });
    }

    private static Relation describe(Connection c, TableName t) throws SQLException {
        List<Column> columns = new ArrayList<>();
        int oid = 0;
        try (PreparedStatement st = c.prepareStatement(COLUMNS)) {
            st.setString(1, t.schema());
            st.setString(2, t.name());
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    columns.add(new Column(rs.getString(1), rs.getInt(2), rs.getInt(3), rs.getBoolean(4)));
                    oid = rs.getInt(5);
                }
            }
        }
        if (columns.isEmpty()) {
            throw PgFerryException.fatal(
                    "table " + t + " of the publication has no columns the snapshot can read",
                    "check that the scanning role can see it (GRANT SELECT)");
        }
        // The key flags are the primary key's whatever the replica identity: a finding names the real key.
        return new Relation(oid, t.schema(), t.name(), ReplicaIdentity.DEFAULT, columns);
    }

    /** The relation cut down to the scanned columns and the key, in table order. */
    private static Relation narrow(Relation full, int[] scanned) {
        List<Column> keep = new ArrayList<>();
        for (int i = 0; i < full.columns().size(); i++) {
            Column col = full.columns().get(i);
            final int index = i;
            boolean isScanned = java.util.Arrays.stream(scanned).anyMatch(s -> s == index);
            if (isScanned || col.key()) {
                keep.add(col);
            }
        }
        return new Relation(full.oid(), full.schema(), full.table(), full.replicaIdentity(), keep);
    }

    private static long size(Connection c, TableName t) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(SIZES)) {
            st.setString(1, t.schema());
            st.setString(2, t.name());
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    private static void await(Future<?> f) throws Exception {
        try {
            f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        }
    }

    private static java.util.concurrent.ThreadFactory named(String name) {
        AtomicLong n = new AtomicLong();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    private record Sized(Relation relation, long bytes) {}
}
