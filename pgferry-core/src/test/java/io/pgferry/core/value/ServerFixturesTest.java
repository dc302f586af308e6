package io.pgferry.core.value;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Values captured from a real PostgreSQL 15 server (TimeZone UTC, extra_float_digits 1): each row has a type OID,
 * the bytes of the type's send function and the text of its output function. Decoding both forms must give equal
 * values, and rendering the binary form must give the server's text.
 */
class ServerFixturesTest {
    record Fixture(int oid, byte[] binary, String text) {
        @Override
        public String toString() {
            return oid + " " + text;
        }
    }

    static Stream<Fixture> fixtures() throws IOException {
        List<Fixture> out = new ArrayList<>();
        try (InputStream in = ServerFixturesTest.class.getResourceAsStream("pg15-values.tsv");
                BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("#") || line.isBlank()) {
                    continue;
                }
                String[] f = line.split("\t", -1);
                out.add(new Fixture(
                        Integer.parseInt(f[0]),
                        HexFormat.of().parseHex(f[1]),
                        new String(Base64.getDecoder().decode(f[2]), StandardCharsets.UTF_8)));
            }
        }
        assertThat(out).hasSizeGreaterThan(150);
        return out.stream();
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void binaryRendersAsTheServerPrints(Fixture f) {
        String expected = f.text();
        if (f.oid() == BuiltinTypes.MONEY || f.oid() == BuiltinTypes.MONEY_ARRAY) {
            // money's text follows lc_monetary; rendered from binary it is the plain amount.
            expected = expected.replace("$", "").replace(",", "");
        }
        assertThat(PgValues.binaryToText(f.oid(), f.binary(), 0, f.binary().length, BuiltinTypes.builtin()))
                .isEqualTo(expected);
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void textAndBinaryDecodeToEqualValues(Fixture f) {
        Object fromText = PgValues.fromText(f.oid(), f.text(), BuiltinTypes.builtin());
        byte[] padded = new byte[f.binary().length + 7];
        System.arraycopy(f.binary(), 0, padded, 3, f.binary().length);
        Object fromBinary = PgValues.fromBinary(f.oid(), padded, 3, f.binary().length, BuiltinTypes.builtin());
        assertThat(Normal.of(fromText)).isEqualTo(Normal.of(fromBinary));
    }
}
