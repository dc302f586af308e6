package io.pgferry.cli.json;

import static io.pgferry.cli.json.Changes.column;
import static io.pgferry.cli.json.Changes.insert;
import static io.pgferry.cli.json.Changes.relation;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgferry.core.Lsn;
import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.Relation;
import io.pgferry.core.event.Transaction;
import io.pgferry.core.value.BuiltinTypes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Durability and failure handling of {@link JsonLinesHandler}, with hand-built transactions (no server). */
class JsonLinesHandlerTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Relation ORDERS = relation("orders", column("item", BuiltinTypes.TEXT));
    private static final Relation TAGS = relation("tags", column("tags", BuiltinTypes.INT4_ARRAY));

    private final List<Lsn> acks = new CopyOnWriteArrayList<>();

    @Test
    void aTransactionFailingMidwayIsCutFromTheFileAndCanBeWrittenAgain(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("out.jsonl");
        Files.writeString(file, "{\"earlier\":\"run\"}\n", StandardCharsets.UTF_8);
        try (JsonLinesHandler handler = JsonLinesHandler.toFile(file, Long.MAX_VALUE)) {
            handler.onTransaction(tx(1, orders(1, 2)));
            UncheckedIOException lost = new UncheckedIOException(new IOException("connection lost"));
            Transaction failing = Changes.transaction(
                    2, 0x2000, Transaction.Kind.COMMITTED, Changes.failingAfter(orders(3, 4), lost), acks::add);
            assertThatThrownBy(() -> handler.onTransaction(failing)).isSameAs(lost);
            assertThat(lines(file)).containsExactly("{\"earlier\":\"run\"}", orderLine(1, 1), orderLine(2, 1));

            // The stream delivers the same transaction again after reconnecting.
            handler.onTransaction(tx(2, orders(3, 4, 5)));
            assertThat(handler.changes()).isEqualTo(5);
            assertThat(handler.transactions()).isEqualTo(2);
        }
        assertThat(lines(file))
                .containsExactly(
                        "{\"earlier\":\"run\"}",
                        orderLine(1, 1),
                        orderLine(2, 1),
                        orderLine(3, 2),
                        orderLine(4, 2),
                        orderLine(5, 2));
        assertThat(acks).containsExactly(Lsn.of(0x2030));
    }

    @Test
    void aValueFailingMidObjectLeavesNoBrokenLine(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("out.jsonl");
        try (JsonLinesHandler handler = JsonLinesHandler.toFile(file, Long.MAX_VALUE)) {
            handler.onTransaction(tx(1, orders(1)));
            List<ChangeEvent> bad = new ArrayList<>(orders(2));
            bad.add(insert(0x2010, TAGS, "3", "{1,2"));
            assertThatThrownBy(() -> handler.onTransaction(tx(2, bad))).isInstanceOf(IllegalArgumentException.class);
            assertThat(lines(file)).containsExactly(orderLine(1, 1));
            handler.onTransaction(tx(3, List.of(insert(0x3010, TAGS, "3", "{1,2}"))));
        }
        List<String> lines = lines(file);
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).isEqualTo(orderLine(1, 1));
        assertThat(MAPPER.readTree(lines.get(1)).get("after").get("tags")).isEqualTo(MAPPER.readTree("[1,2]"));
    }

    @Test
    void closingAfterAFailureWritesNothingOfTheFailedTransaction(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("out.jsonl");
        RuntimeException failure = new IllegalStateException("spill file unreadable");
        try (JsonLinesHandler handler = JsonLinesHandler.toFile(file, Long.MAX_VALUE)) {
            handler.onTransaction(tx(1, orders(1)));
            Transaction failing = Changes.transaction(
                    2, 0x2000, Transaction.Kind.COMMITTED, Changes.failingAfter(orders(2, 3), failure), acks::add);
            assertThatThrownBy(() -> handler.onTransaction(failing)).isSameAs(failure);
        }
        assertThat(lines(file)).containsExactly(orderLine(1, 1));
        assertThat(acks).containsExactly(Lsn.of(0x1030));
    }

    @Test
    void standardOutputDropsTheBufferedLinesOfAFailedTransaction() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RuntimeException failure = new IllegalStateException("connection lost");
        try (JsonLinesHandler handler = JsonLinesHandler.toStream(out, Long.MAX_VALUE)) {
            handler.onTransaction(tx(1, orders(1)));
            Transaction failing = Changes.transaction(
                    2, 0x2000, Transaction.Kind.COMMITTED, Changes.failingAfter(orders(2, 3), failure), acks::add);
            assertThatThrownBy(() -> handler.onTransaction(failing)).isSameAs(failure);
            handler.onTransaction(tx(2, orders(2, 3)));
        }
        assertThat(out.toString(StandardCharsets.UTF_8).lines())
                .containsExactly(orderLine(1, 1), orderLine(2, 2), orderLine(3, 2));
    }

    @Test
    void acknowledgesOnlyWhatWasSynced(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("out.jsonl");
        try (JsonLinesHandler handler = JsonLinesHandler.toFile(file, Long.MAX_VALUE)) {
            handler.onTransaction(tx(1, orders(1)));
            handler.onTransaction(tx(2, orders(2)));
            assertThat(acks).isEmpty();
            handler.onIdle();
            assertThat(acks).containsExactly(Lsn.of(0x2030));
            assertThat(lines(file)).containsExactly(orderLine(1, 1), orderLine(2, 2));
            handler.onIdle();
            assertThat(acks).hasSize(1);
        }
        try (JsonLinesHandler eager = JsonLinesHandler.toFile(file, 0)) {
            eager.onTransaction(tx(3, orders(3)));
            assertThat(acks).containsExactly(Lsn.of(0x2030), Lsn.of(0x3030));
            assertThat(lines(file)).containsExactly(orderLine(1, 1), orderLine(2, 2), orderLine(3, 3));
        }
    }

    @Test
    void preparedChangesGiveTheSameLines(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("out.jsonl");
        try (JsonLinesHandler handler = JsonLinesHandler.toFile(file, Long.MAX_VALUE)) {
            handler.onTransaction(prepared(handler, 1, orders(1, 2)));
            handler.onTransaction(tx(2, orders(3)));
            handler.onTransaction(prepared(handler, 3, orders(4)));
            assertThat(handler.changes()).isEqualTo(4);
            assertThat(handler.transactions()).isEqualTo(3);
        }
        assertThat(lines(file)).containsExactly(orderLine(1, 1), orderLine(2, 1), orderLine(3, 2), orderLine(4, 3));
        assertThat(acks).containsExactly(Lsn.of(0x3030));
    }

    @Test
    void aPreparedTransactionFailingMidwayIsCutFromTheFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("out.jsonl");
        try (JsonLinesHandler handler = JsonLinesHandler.toFile(file, Long.MAX_VALUE)) {
            handler.onTransaction(prepared(handler, 1, orders(1)));
            UncheckedIOException lost = new UncheckedIOException(new IOException("spill file unreadable"));
            Transaction failing = Transaction.withPreparedChanges(
                    2,
                    Lsn.of(0x2000),
                    Lsn.of(0x2030),
                    Changes.COMMIT_TIME,
                    null,
                    Transaction.Kind.STREAMED,
                    Changes.failingAfter(Changes.prepareAll(handler, orders(2, 3)), lost),
                    acks::add);
            assertThatThrownBy(() -> handler.onTransaction(failing)).isSameAs(lost);
            assertThat(lines(file)).containsExactly(orderLine(1, 1));
            handler.onTransaction(prepared(handler, 2, orders(2, 3)));
        }
        assertThat(lines(file)).containsExactly(orderLine(1, 1), orderLine(2, 2), orderLine(3, 2));
    }

    @Test
    void standardOutputDropsTheBufferedPreparedLinesOfAFailedTransaction() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RuntimeException failure = new IllegalStateException("connection lost");
        try (JsonLinesHandler handler = JsonLinesHandler.toStream(out, Long.MAX_VALUE)) {
            handler.onTransaction(prepared(handler, 1, orders(1)));
            Transaction failing = Transaction.withPreparedChanges(
                    2,
                    Lsn.of(0x2000),
                    Lsn.of(0x2030),
                    Changes.COMMIT_TIME,
                    null,
                    Transaction.Kind.STREAMED,
                    Changes.failingAfter(Changes.prepareAll(handler, orders(2, 3)), failure),
                    acks::add);
            assertThatThrownBy(() -> handler.onTransaction(failing)).isSameAs(failure);
            handler.onTransaction(prepared(handler, 2, orders(2, 3)));
        }
        assertThat(out.toString(StandardCharsets.UTF_8).lines())
                .containsExactly(orderLine(1, 1), orderLine(2, 2), orderLine(3, 2));
    }

    /** A device such as /dev/null can be neither cut back nor forced to disk (fsync fails with EINVAL). */
    @Test
    void writesToACharacterDevice() throws IOException {
        Path devNull = Path.of("/dev/null");
        assumeTrue(Files.exists(devNull) && !Files.isRegularFile(devNull), "needs /dev/null");
        try (JsonLinesHandler handler = JsonLinesHandler.toFile(devNull, 0)) {
            handler.onTransaction(tx(1, orders(1)));
            handler.onTransaction(prepared(handler, 2, orders(2)));
            handler.onIdle();
        }
        assertThat(acks).containsExactly(Lsn.of(0x1030), Lsn.of(0x2030));
    }

    private Transaction prepared(JsonLinesHandler handler, long xid, List<ChangeEvent> changes) throws IOException {
        return Changes.prepared(handler, xid, xid * 0x1000, Transaction.Kind.STREAMED, changes, acks::add);
    }

    private Transaction tx(long xid, List<ChangeEvent> changes) {
        return Changes.transaction(xid, xid * 0x1000, changes, acks::add);
    }

    private static List<ChangeEvent> orders(int... ids) {
        List<ChangeEvent> out = new ArrayList<>();
        for (int id : ids) {
            out.add(insert(0x100L * id, ORDERS, Integer.toString(id), "item " + id));
        }
        return out;
    }

    /** The line of {@code orders(id)} in transaction {@code xid} (committed at 0/{xid}000). */
    private static String orderLine(int id, int xid) {
        return "{\"op\":\"insert\",\"schema\":\"public\",\"table\":\"orders\",\"key\":{\"id\":" + id
                + "},\"before\":null,\"after\":{\"id\":" + id + ",\"item\":\"item " + id + "\"},\"lsn\":\"0/"
                + Integer.toHexString(0x100 * id).toUpperCase(Locale.ROOT) + "\",\"commit_lsn\":\"0/" + xid
                + "000\",\"xid\":" + xid + ",\"commit_ts\":\"2026-01-02T03:04:05.123456Z\"}";
    }

    private static List<String> lines(Path file) throws IOException {
        return Files.readAllLines(file, StandardCharsets.UTF_8);
    }
}
