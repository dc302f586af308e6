package io.pgferry.core.pgoutput;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgferry.core.pgoutput.Samples.Sample;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** A message must use exactly its bytes: every strict prefix and every extension of a valid message is rejected. */
class PgOutputParserTruncationTest {

    static List<Sample> samples() {
        return Samples.all();
    }

    @ParameterizedTest
    @MethodSource("samples")
    void sampleIsValid(Sample s) {
        assertThat(PgOutputParser.parse(s.bytes(), 0, s.bytes().length, s.options(), s.inStreamBlock()))
                .isNotNull();
    }

    @ParameterizedTest
    @MethodSource("samples")
    void everyStrictPrefixIsRejected(Sample s) {
        byte[] bytes = s.bytes();
        for (int len = 0; len < bytes.length; len++) {
            int n = len;
            // Both as a short array and as a short range of the full array: the parser must not read past the range.
            assertThatThrownBy(
                            () -> PgOutputParser.parse(Arrays.copyOf(bytes, n), 0, n, s.options(), s.inStreamBlock()))
                    .as("prefix of %d of %d bytes", n, bytes.length)
                    .isInstanceOf(ProtocolException.class);
            assertThatThrownBy(() -> PgOutputParser.parse(bytes, 0, n, s.options(), s.inStreamBlock()))
                    .as("range of %d of %d bytes", n, bytes.length)
                    .isInstanceOf(ProtocolException.class);
        }
    }

    @ParameterizedTest
    @MethodSource("samples")
    void trailingGarbageIsRejected(Sample s) {
        for (byte[] garbage : List.of(new byte[] {0}, new byte[] {'N'}, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9})) {
            byte[] bytes = Arrays.copyOf(s.bytes(), s.bytes().length + garbage.length);
            System.arraycopy(garbage, 0, bytes, s.bytes().length, garbage.length);
            assertThatThrownBy(() -> PgOutputParser.parse(bytes, 0, bytes.length, s.options(), s.inStreamBlock()))
                    .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.problem())
                            .contains(garbage.length + " trailing bytes"));
        }
    }
}
