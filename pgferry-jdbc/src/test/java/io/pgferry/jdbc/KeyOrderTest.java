package io.pgferry.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.core.event.Column;
import io.pgferry.core.event.Relation;
import io.pgferry.core.event.ReplicaIdentity;
import io.pgferry.core.value.BuiltinTypes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The order runs write keys in: an integer key's text orders as its number, composite keys column by column. */
class KeyOrderTest {
    private static final Relation BY_ID = relation(new Column("id", BuiltinTypes.INT8, -1, true));
    private static final Relation BY_NAME_AND_ID =
            relation(new Column("name", BuiltinTypes.TEXT, -1, true), new Column("n", BuiltinTypes.INT4, -1, true));

    @Test
    void integerTextOrdersAsTheNumberItSpells() {
        Random random = new Random(5);
        List<Long> numbers = new ArrayList<>(List.of(0L, -1L, 1L, 9L, 10L, -9L, -10L, Long.MIN_VALUE, Long.MAX_VALUE));
        for (int i = 0; i < 2_000; i++) {
            numbers.add(random.nextLong() >> random.nextInt(64));
        }
        List<Key> keys = new ArrayList<>();
        for (long n : numbers) {
            keys.add(key(BY_ID, Long.toString(n)));
        }
        keys.sort(KeyOrder.of(BY_ID));
        numbers.sort(Comparator.naturalOrder());
        assertThat(keys).extracting(k -> Long.parseLong((String) k.value(0))).containsExactlyElementsOf(numbers);
    }

    /**
     * {@link KeyOrder#sort} packs a single integer key with its position into a long where it fits (issue 5): the
     * order is the comparator's either way, for keys of every sign and size, and with a NULL among them.
     */
    @Test
    void sortingPackedKeysGivesTheComparatorsOrder() {
        Random random = new Random(7);
        for (int shift : new int[] {40, 20, 0}) {
            List<Key> keys = new ArrayList<>();
            for (int i = 0; i < 3_000; i++) {
                keys.add(key(BY_ID, Long.toString(random.nextLong() >> shift)));
            }
            keys.add(key(BY_ID, "0"));
            if (shift == 20) {
                keys.add(key(BY_ID, (String) null));
            }
            List<Key> expected = new ArrayList<>(keys);
            expected.sort(KeyOrder.of(BY_ID));
            KeyOrder.of(BY_ID).sort(keys, k -> k);
            assertThat(keys).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void compositeKeysOrderByTheirFirstColumnThenTheNext() {
        List<Key> keys = new ArrayList<>(List.of(
                key(BY_NAME_AND_ID, "b", "2"),
                key(BY_NAME_AND_ID, "a", "10"),
                key(BY_NAME_AND_ID, "b", "-3"),
                key(BY_NAME_AND_ID, "a", "9")));
        keys.sort(KeyOrder.of(BY_NAME_AND_ID));
        assertThat(keys).extracting(k -> k.value(0) + "/" + k.value(1)).containsExactly("a/9", "a/10", "b/-3", "b/2");
    }

    @Test
    void nullsComeFirstAndEqualKeysCompareEqual() {
        KeyOrder order = KeyOrder.of(BY_ID);
        Key none = key(BY_ID, (String) null);
        assertThat(order.compare(none, key(BY_ID, "-5"))).isNegative();
        assertThat(order.compare(key(BY_ID, "42"), key(BY_ID, "42"))).isZero();
        assertThat(order.compare(none, key(BY_ID, (String) null))).isZero();
    }

    private static Relation relation(Column... keys) {
        return new Relation(7, "public", "t", ReplicaIdentity.DEFAULT, List.of(keys));
    }

    private static Key key(Relation relation, String... values) {
        return Key.of(JdbcSinkKeyOrderTest.row(relation, false, (Object[]) values), new PostgresDialect());
    }
}
