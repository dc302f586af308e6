package io.pgferry.core.value;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Text printed by a real PostgreSQL 15 server under non-default session settings (a non-UTC TimeZone, including
 * historical offsets with seconds; bytea_output escape; IntervalStyle postgres_verbose and iso_8601), with the
 * binary form of the same value: the text must decode to the same value.
 */
class SessionStylesTest {
    record Fixture(String setting, int oid, byte[] binary, String text) {
        @Override
        public String toString() {
            return setting + ": " + text;
        }
    }

    static Stream<Fixture> fixtures() throws IOException {
        List<Fixture> out = new ArrayList<>();
        try (InputStream in = SessionStylesTest.class.getResourceAsStream("pg15-session-styles.tsv");
                BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("#") || line.isBlank()) {
                    continue;
                }
                String[] f = line.split("\t", -1);
                out.add(new Fixture(
                        f[0],
                        Integer.parseInt(f[1]),
                        HexFormat.of().parseHex(f[2]),
                        new String(Base64.getDecoder().decode(f[3]), StandardCharsets.UTF_8)));
            }
        }
        assertThat(out).hasSizeGreaterThan(20);
        return out.stream();
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void textDecodesToTheBinaryValue(Fixture f) {
        Object fromText = PgValues.fromText(f.oid(), f.text(), BuiltinTypes.builtin());
        Object fromBinary = PgValues.fromBinary(f.oid(), f.binary(), 0, f.binary().length, BuiltinTypes.builtin());
        assertThat(instants(Normal.of(fromText))).isEqualTo(instants(Normal.of(fromBinary)));
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void timestamptzTextKeepsTheSessionOffset(Fixture f) {
        Object v = PgValues.fromText(f.oid(), f.text(), BuiltinTypes.builtin());
        if (v instanceof OffsetDateTime t) {
            assertThat(PgValues.render(f.oid(), t, BuiltinTypes.builtin())).isEqualTo(f.text());
        }
    }

    /** The text carries the session's offset, the binary form UTC: compare the instants. */
    private static Object instants(Object v) {
        if (v instanceof OffsetDateTime t) {
            return t.toInstant();
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            l.forEach(e -> out.add(instants(e)));
            return out;
        }
        return v;
    }
}
