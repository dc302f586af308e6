package io.pgferry.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The halves {@link Key#half} splits keys into for a sync's two target sessions (issue 5). */
class KeyTest {
    private static Key key(Object... values) {
        int[] columns = new int[values.length];
        for (int i = 0; i < columns.length; i++) {
            columns[i] = i;
        }
        return Key.of(values, columns);
    }

    /**
     * A session's half is recorded at the destination and read back by the next process after a crash: a change of
     * the function would have that process skip rows the other session never wrote. These are its values for the
     * keys 1 to 16, as PostgreSQL sends them (text).
     */
    @Test
    void theHalvesOfKeysAreFixed() {
        StringBuilder halves = new StringBuilder();
        for (int id = 1; id <= 16; id++) {
            halves.append(key(Integer.toString(id)).half());
        }
        assertThat(halves).hasToString("0010110101010010");
    }

    @Test
    void consecutiveAndCompositeKeysFallEvenlyIntoTheHalves() {
        int single = 0;
        int composite = 0;
        for (int id = 0; id < 100_000; id++) {
            single += key(Integer.toString(id)).half();
            composite +=
                    key(Integer.toString(id % 97), Integer.toString(id / 97)).half();
        }
        assertThat(single).isBetween(49_000, 51_000);
        assertThat(composite).isBetween(49_000, 51_000);
    }

    @Test
    void equalKeysFallIntoTheSameHalf() {
        assertThat(key("a", new byte[] {1, 2}).half())
                .isEqualTo(key("a", new byte[] {1, 2}).half());
    }
}
