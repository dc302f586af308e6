package io.pgferry.core.pgoutput;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.core.pgoutput.Samples.Sample;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * Whatever the bytes, the parser returns a message or throws {@link ProtocolException}: never another exception,
 * for every {@link ParserOptions} combination, in and out of a stream block, and independently of the bytes around
 * the parsed range.
 */
class PgOutputParserPropertiesTest {
    private static final List<Sample> SAMPLES = Samples.all();
    private static final byte[] TAGS = "BCORYIUDTMSEcAbPKrpNnutbx".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    /** One edit of a message: flip bits of a byte, insert a byte, or delete a byte, at a position taken modulo size. */
    record Mutation(int kind, int position, byte value) {
        byte[] apply(byte[] in) {
            if (in.length == 0) {
                return kind == 1 ? new byte[] {value} : in;
            }
            int at = Math.floorMod(position, in.length);
            switch (kind) {
                case 0 -> {
                    byte[] out = in.clone();
                    out[at] ^= value == 0 ? 1 : value;
                    return out;
                }
                case 1 -> {
                    byte[] out = new byte[in.length + 1];
                    System.arraycopy(in, 0, out, 0, at);
                    out[at] = value;
                    System.arraycopy(in, at, out, at + 1, in.length - at);
                    return out;
                }
                default -> {
                    byte[] out = new byte[in.length - 1];
                    System.arraycopy(in, 0, out, 0, at);
                    System.arraycopy(in, at + 1, out, at, in.length - at - 1);
                    return out;
                }
            }
        }
    }

    @Property(tries = 2000)
    void randomBytesParseOrFailCleanly(@ForAll @Size(max = 200) byte[] bytes) {
        checkAllOptions(bytes);
    }

    @Property(tries = 3000)
    void randomBodiesBehindValidTagsParseOrFailCleanly(@ForAll("tags") byte tag, @ForAll @Size(max = 120) byte[] body) {
        byte[] bytes = new byte[body.length + 1];
        bytes[0] = tag;
        System.arraycopy(body, 0, bytes, 1, body.length);
        checkAllOptions(bytes);
    }

    @Property(tries = 5000)
    void mutatedValidMessagesParseOrFailCleanly(
            @ForAll("sampleIndex") int sample, @ForAll("mutations") List<Mutation> mutations) {
        byte[] bytes = SAMPLES.get(sample).bytes();
        for (Mutation m : mutations) {
            bytes = m.apply(bytes);
        }
        checkAllOptions(bytes);
    }

    @Property(tries = 500)
    void validMessagesSurroundedByGarbageParseTheSame(
            @ForAll("sampleIndex") int sample, @ForAll byte[] before, @ForAll byte[] after) {
        Sample s = SAMPLES.get(sample);
        byte[] buf = new byte[before.length + s.bytes().length + after.length];
        System.arraycopy(before, 0, buf, 0, before.length);
        System.arraycopy(s.bytes(), 0, buf, before.length, s.bytes().length);
        System.arraycopy(after, 0, buf, before.length + s.bytes().length, after.length);
        PgOutputMessage m = PgOutputParser.parse(buf, before.length, s.bytes().length, s.options(), s.inStreamBlock());
        assertThat(m.getClass())
                .isEqualTo(PgOutputParser.parse(s.bytes(), 0, s.bytes().length, s.options(), s.inStreamBlock())
                        .getClass());
    }

    @Provide
    Arbitrary<Byte> tags() {
        return Arbitraries.of(box(TAGS));
    }

    @Provide
    Arbitrary<Integer> sampleIndex() {
        return Arbitraries.integers().between(0, SAMPLES.size() - 1);
    }

    @Provide
    Arbitrary<List<Mutation>> mutations() {
        Arbitrary<Mutation> one = Combinators.combine(
                        Arbitraries.integers().between(0, 2),
                        Arbitraries.integers().between(0, 1000),
                        Arbitraries.bytes())
                .as(Mutation::new);
        return one.list().ofMinSize(1).ofMaxSize(4);
    }

    /**
     * Parses {@code bytes} with every option set and stream state, both as the whole array and as a range of a larger
     * array full of other bytes; the outcome must be a message or a ProtocolException, and the same in both cases.
     */
    private static void checkAllOptions(byte[] bytes) {
        byte[] padded = new byte[bytes.length + 16];
        Arrays.fill(padded, (byte) 't');
        System.arraycopy(bytes, 0, padded, 8, bytes.length);
        for (ParserOptions options : Samples.ALL_OPTIONS) {
            for (boolean inStream : new boolean[] {false, true}) {
                String alone = outcome(bytes, 0, bytes.length, options, inStream);
                String inside = outcome(padded, 8, bytes.length, options, inStream);
                assertThat(inside).isEqualTo(alone);
            }
        }
    }

    /** The message's class name, or the ProtocolException's text; any other exception fails the property. */
    private static String outcome(byte[] buf, int offset, int length, ParserOptions options, boolean inStream) {
        try {
            PgOutputMessage m = PgOutputParser.parse(buf, offset, length, options, inStream);
            assertThat(m).isNotNull();
            checkTuplesWithin(m, buf, offset, offset + length);
            return m.getClass().getSimpleName();
        } catch (ProtocolException e) {
            assertThat(e.getMessage()).isNotBlank();
            return e.getMessage();
        }
    }

    /** A parsed tuple points only into the parsed range of the caller's array. */
    private static void checkTuplesWithin(PgOutputMessage m, byte[] buf, int from, int to) {
        if (m instanceof PgOutputMessage.Insert i) {
            checkTupleWithin(i.newTuple(), buf, from, to);
        } else if (m instanceof PgOutputMessage.Update u) {
            if (u.oldTuple() != null) {
                checkTupleWithin(u.oldTuple(), buf, from, to);
            }
            checkTupleWithin(u.newTuple(), buf, from, to);
        } else if (m instanceof PgOutputMessage.Delete d) {
            checkTupleWithin(d.oldTuple(), buf, from, to);
        }
    }

    private static void checkTupleWithin(TupleData t, byte[] buf, int from, int to) {
        assertThat(t.buffer()).isSameAs(buf);
        for (int i = 0; i < t.size(); i++) {
            assertThat(t.kind(i)).isIn(TupleData.NULL, TupleData.UNCHANGED_TOAST, TupleData.TEXT, TupleData.BINARY);
            if (t.kind(i) == TupleData.TEXT || t.kind(i) == TupleData.BINARY) {
                assertThat(t.length(i)).isNotNegative();
                assertThat(t.offset(i)).isGreaterThanOrEqualTo(from);
                assertThat(t.offset(i) + t.length(i)).isLessThanOrEqualTo(to);
            }
        }
    }

    private static Byte[] box(byte[] in) {
        Byte[] out = new Byte[in.length];
        for (int i = 0; i < in.length; i++) {
            out[i] = in[i];
        }
        return out;
    }
}
