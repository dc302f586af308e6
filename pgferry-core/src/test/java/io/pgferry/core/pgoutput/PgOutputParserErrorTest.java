package io.pgferry.core.pgoutput;

import static io.pgferry.core.pgoutput.Samples.V1;
import static io.pgferry.core.pgoutput.Samples.V2;
import static io.pgferry.core.pgoutput.Samples.V4;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Each kind of malformed input fails with a ProtocolException that names what is wrong and where. */
class PgOutputParserErrorTest {

    static ProtocolException reject(byte[] bytes, ParserOptions options, boolean inStreamBlock) {
        ProtocolException[] caught = new ProtocolException[1];
        assertThatThrownBy(() -> PgOutputParser.parse(bytes, 0, bytes.length, options, inStreamBlock))
                .isInstanceOfSatisfying(ProtocolException.class, e -> caught[0] = e);
        ProtocolException e = caught[0];
        assertThat(e.isRetriable()).isFalse();
        assertThat(e.fix()).isNotBlank();
        assertThat(e.getMessage()).doesNotContain("\n");
        return e;
    }

    static ProtocolException reject(byte[] bytes) {
        return reject(bytes, V1, false);
    }

    @Test
    void emptyMessage() {
        assertThat(reject(new byte[0]).problem()).contains("empty");
    }

    @Test
    void unknownTag() {
        assertThat(reject(new byte[] {'z', 0, 0}).problem()).contains("unknown message tag 0x7A ('z')");
        assertThat(reject(new byte[] {(byte) 0xC3}).problem()).contains("0xC3");
    }

    @Test
    void unknownTupleKind() {
        byte[] bytes = MessageBuilder.tag('I')
                .int32(1)
                .int8('N')
                .columns(2)
                .text("a")
                .int8('x')
                .build();
        assertThat(reject(bytes).problem())
                .contains("Insert ('I')")
                .contains("unknown kind 0x78 ('x') of column 1")
                .contains("at byte 14 of 15");
    }

    @Test
    void negativeValueLength() {
        byte[] bytes = MessageBuilder.tag('I')
                .int32(1)
                .int8('N')
                .columns(1)
                .int8('t')
                .int32(-1)
                .build();
        assertThat(reject(bytes).problem()).contains("column value length is negative (-1)");
    }

    @Test
    void valueLengthPastTheEnd() {
        byte[] bytes = MessageBuilder.tag('I')
                .int32(1)
                .int8('N')
                .columns(1)
                .int8('b')
                .int32(Integer.MAX_VALUE)
                .int8(1)
                .build();
        assertThat(reject(bytes).problem()).contains("column value length is 2147483647 but only 1 bytes are left");
    }

    @Test
    void columnCountLargerThanTheColumnsSent() {
        byte[] bytes = MessageBuilder.tag('I')
                .int32(1)
                .int8('N')
                .columns(3)
                .text("a")
                .nullColumn()
                .build();
        assertThat(reject(bytes).problem()).contains("message ends before column kind");
    }

    @Test
    void columnCountSmallerThanTheColumnsSent() {
        byte[] bytes = MessageBuilder.tag('I')
                .int32(1)
                .int8('N')
                .columns(1)
                .text("a")
                .nullColumn()
                .build();
        assertThat(reject(bytes).problem()).contains("1 trailing bytes");
    }

    @Test
    void columnCountThatCannotFitIsRejectedBeforeAllocating() {
        byte[] bytes =
                MessageBuilder.tag('I').int32(1).int8('N').columns(0xFFFF).build();
        assertThat(reject(bytes).problem()).contains("number of columns is 65535 but only 0 bytes are left");
    }

    @Test
    void relationColumnCountThatCannotFit() {
        byte[] bytes = MessageBuilder.tag('R')
                .int32(1)
                .cstring("s")
                .cstring("t")
                .int8('d')
                .int16(2)
                .int8(0)
                .cstring("a")
                .int32(23)
                .int32(-1)
                .build();
        assertThat(reject(bytes).problem()).contains("Relation ('R')").contains("number of columns is 2");
    }

    @Test
    void missingNulTerminator() {
        byte[] bytes = MessageBuilder.tag('O')
                .int64(1)
                .bytes("abc".getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .build();
        assertThat(reject(bytes).problem())
                .contains("Origin ('O')")
                .contains("origin name has no NUL terminator")
                .contains("at byte 9 of 12");
    }

    @Test
    void truncatedFixedField() {
        byte[] bytes = MessageBuilder.tag('B').int64(1).int32(0).build();
        assertThat(reject(bytes).problem())
                .contains("Begin ('B')")
                .contains("message ends before commit timestamp (8 bytes needed, 4 left)");
    }

    @Test
    void trailingBytes() {
        byte[] bytes = MessageBuilder.tag('E').int8(0).int8(0).build();
        assertThat(reject(bytes, V2, false).problem())
                .contains("Stream Stop ('E')")
                .contains("2 trailing bytes");
    }

    @Test
    void insertWithoutNewTupleMarker() {
        byte[] bytes = MessageBuilder.tag('I').int32(1).int8('K').columns(0).build();
        assertThat(reject(bytes).problem()).contains("unexpected tuple marker 0x4B ('K'), expected 'N'");
    }

    @Test
    void updateWithUnknownMarker() {
        byte[] bytes = MessageBuilder.tag('U').int32(1).int8('X').columns(0).build();
        assertThat(reject(bytes).problem()).contains("expected 'K', 'O' or 'N'");
    }

    @Test
    void updateWithOldTupleButNoNewTuple() {
        byte[] bytes = MessageBuilder.tag('U').int32(1).int8('K').columns(0).build();
        assertThat(reject(bytes).problem()).contains("message ends before new tuple marker");
    }

    @Test
    void updateWithTwoOldTuples() {
        byte[] bytes = MessageBuilder.tag('U')
                .int32(1)
                .int8('K')
                .columns(0)
                .int8('O')
                .columns(0)
                .build();
        assertThat(reject(bytes).problem()).contains("unexpected tuple marker 0x4F ('O'), expected 'N'");
    }

    @Test
    void deleteWithNewTupleMarker() {
        byte[] bytes = MessageBuilder.tag('D').int32(1).int8('N').columns(0).build();
        assertThat(reject(bytes).problem()).contains("expected 'K' or 'O'");
    }

    @Test
    void negativeTruncateCount() {
        byte[] bytes = MessageBuilder.tag('T').int32(-3).int8(0).build();
        assertThat(reject(bytes).problem()).contains("number of relations is negative (-3)");
    }

    @Test
    void truncateCountLargerThanTheOidsSent() {
        byte[] bytes = MessageBuilder.tag('T')
                .int32(Integer.MAX_VALUE)
                .int8(0)
                .int32(1)
                .build();
        assertThat(reject(bytes).problem()).contains("number of relations is 2147483647 but only 4 bytes are left");
    }

    @Test
    void negativeMessageContentLength() {
        byte[] bytes = MessageBuilder.tag('M')
                .int8(1)
                .int64(1)
                .cstring("p")
                .int32(Integer.MIN_VALUE)
                .build();
        assertThat(reject(bytes).problem()).contains("content length is negative");
    }

    @Test
    void streamAbortWithLsnWhenNotExpected() {
        assertThat(reject(Samples.streamAbortWithLsn(), V4, false).problem()).contains("16 trailing bytes");
    }

    @Test
    void streamAbortWithoutLsnWhenExpected() {
        byte[] bytes = MessageBuilder.tag('A').int32(1).int32(1).build();
        assertThat(reject(bytes, Samples.V4_PARALLEL, false).problem()).contains("message ends before abort LSN");
    }

    @Test
    void changeWithoutXidInsideStreamBlock() {
        // A non-streamed Insert read as if it were streamed: the oid is taken as the xid and the marker is wrong.
        assertThat(reject(Samples.insert(), V2, true).problem()).contains("unexpected tuple marker");
    }

    @Test
    void streamingMessagesNeedProtocolTwo() {
        byte[] start = MessageBuilder.tag('S').int32(1).int8(1).build();
        ProtocolException e = reject(start, V1, false);
        assertThat(e.problem()).contains("Stream Start ('S')").contains("needs protocol version 2");
        assertThat(e.fix()).contains("proto_version");
        reject(new byte[] {'E'}, V1, false);
        reject(Samples.streamCommit(), V1, false);
    }

    @Test
    void twoPhaseMessagesNeedProtocolThree() {
        assertThat(reject(Samples.twoPhase('P'), V2, false).problem())
                .contains("Prepare ('P')")
                .contains("needs protocol version 3");
        reject(Samples.beginPrepare(), V2, false);
        reject(Samples.twoPhase('K'), V1, false);
        reject(Samples.rollbackPrepared(), V2, false);
        reject(Samples.twoPhase('p'), V2, false);
        assertThat(PgOutputParser.parse(Samples.twoPhase('P'), 0, Samples.twoPhase('P').length, V4, false))
                .isInstanceOf(PgOutputMessage.Prepare.class);
    }

    @Test
    void rangeOutsideTheArrayIsACallerBugNotAProtocolError() {
        byte[] bytes = Samples.begin();
        assertThatThrownBy(() -> PgOutputParser.parse(bytes, 1, bytes.length, V1, false))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }
}
