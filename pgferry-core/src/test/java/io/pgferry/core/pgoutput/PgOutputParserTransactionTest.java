package io.pgferry.core.pgoutput;

import static io.pgferry.core.pgoutput.Samples.BIG_XID;
import static io.pgferry.core.pgoutput.Samples.LSN;
import static io.pgferry.core.pgoutput.Samples.LSN2;
import static io.pgferry.core.pgoutput.Samples.TIME;
import static io.pgferry.core.pgoutput.Samples.V1;
import static io.pgferry.core.pgoutput.Samples.V2;
import static io.pgferry.core.pgoutput.Samples.V3;
import static io.pgferry.core.pgoutput.Samples.V4;
import static io.pgferry.core.pgoutput.Samples.V4_PARALLEL;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.core.Lsn;
import io.pgferry.core.pgoutput.PgOutputMessage.Begin;
import io.pgferry.core.pgoutput.PgOutputMessage.BeginPrepare;
import io.pgferry.core.pgoutput.PgOutputMessage.Commit;
import io.pgferry.core.pgoutput.PgOutputMessage.CommitPrepared;
import io.pgferry.core.pgoutput.PgOutputMessage.Origin;
import io.pgferry.core.pgoutput.PgOutputMessage.Prepare;
import io.pgferry.core.pgoutput.PgOutputMessage.RollbackPrepared;
import io.pgferry.core.pgoutput.PgOutputMessage.StreamAbort;
import io.pgferry.core.pgoutput.PgOutputMessage.StreamCommit;
import io.pgferry.core.pgoutput.PgOutputMessage.StreamPrepare;
import io.pgferry.core.pgoutput.PgOutputMessage.StreamStart;
import io.pgferry.core.pgoutput.PgOutputMessage.StreamStop;
import org.junit.jupiter.api.Test;

/** Transaction framing messages: Begin, Commit, Origin, the streaming ones and the two-phase ones. */
class PgOutputParserTransactionTest {

    static PgOutputMessage parse(byte[] bytes, ParserOptions options, boolean inStreamBlock) {
        return PgOutputParser.parse(bytes, 0, bytes.length, options, inStreamBlock);
    }

    @Test
    void begin() {
        assertThat(parse(Samples.begin(), V1, false)).isEqualTo(new Begin(new Lsn(LSN), TIME, BIG_XID));
    }

    @Test
    void beginHasNoStreamXidEvenInsideAStreamBlock() {
        // Begin never appears in a stream block, but the layout must not depend on the flag for non-change messages.
        assertThat(parse(Samples.begin(), V4, true)).isEqualTo(new Begin(new Lsn(LSN), TIME, BIG_XID));
    }

    @Test
    void xidIsUnsigned() {
        byte[] bytes = MessageBuilder.tag('B').int64(LSN).int64(TIME).int32(-1).build();
        assertThat(((Begin) parse(bytes, V1, false)).xid()).isEqualTo(0xFFFF_FFFFL);
    }

    @Test
    void commit() {
        assertThat(parse(Samples.commit(), V1, false))
                .isEqualTo(new Commit((byte) 0, new Lsn(LSN), new Lsn(LSN2), TIME));
    }

    @Test
    void zeroLsnIsInvalid() {
        byte[] bytes =
                MessageBuilder.tag('C').int8(0).int64(0).int64(LSN2).int64(TIME).build();
        assertThat(((Commit) parse(bytes, V1, false)).commitLsn()).isSameAs(Lsn.INVALID);
    }

    @Test
    void negativeTimestampAndHighLsnBitAreKept() {
        byte[] bytes =
                MessageBuilder.tag('C').int8(0).int64(-2).int64(LSN2).int64(-5).build();
        Commit commit = (Commit) parse(bytes, V1, false);
        assertThat(commit.commitLsn().value()).isEqualTo(-2L);
        assertThat(commit.commitTime()).isEqualTo(-5L);
    }

    @Test
    void originWithUnicodeName() {
        byte[] bytes = MessageBuilder.tag('O').int64(LSN).cstring("节点_ü").build();
        assertThat(parse(bytes, V1, false)).isEqualTo(new Origin(new Lsn(LSN), "节点_ü"));
    }

    @Test
    void streamStartFirstAndLaterSegment() {
        byte[] first = MessageBuilder.tag('S').int32(BIG_XID).int8(1).build();
        byte[] later = MessageBuilder.tag('S').int32(5).int8(0).build();
        assertThat(parse(first, V2, false)).isEqualTo(new StreamStart(BIG_XID, true));
        assertThat(parse(later, V4, true)).isEqualTo(new StreamStart(5, false));
    }

    @Test
    void streamStop() {
        assertThat(parse(new byte[] {'E'}, V2, true)).isEqualTo(new StreamStop());
    }

    @Test
    void streamCommit() {
        assertThat(parse(Samples.streamCommit(), V2, false))
                .isEqualTo(new StreamCommit(BIG_XID, (byte) 0, new Lsn(LSN), new Lsn(LSN2), TIME));
    }

    @Test
    void streamAbortWithoutLsn() {
        byte[] bytes = MessageBuilder.tag('A').int32(10).int32(11).build();
        StreamAbort expected = new StreamAbort(10, 11, Lsn.INVALID, 0);
        assertThat(parse(bytes, V2, false)).isEqualTo(expected);
        assertThat(parse(bytes, V3, false)).isEqualTo(expected);
        // Protocol 4 without streaming = parallel still sends the short form.
        assertThat(parse(bytes, V4, false)).isEqualTo(expected);
    }

    @Test
    void streamAbortWithLsnForParallelStreaming() {
        assertThat(parse(Samples.streamAbortWithLsn(), V4_PARALLEL, false))
                .isEqualTo(new StreamAbort(10, 11, new Lsn(LSN), TIME));
    }

    @Test
    void streamAbortOfTopLevelTransactionHasEqualXids() {
        byte[] bytes = MessageBuilder.tag('A').int32(BIG_XID).int32(BIG_XID).build();
        StreamAbort abort = (StreamAbort) parse(bytes, V2, false);
        assertThat(abort.subXid()).isEqualTo(abort.xid()).isEqualTo(BIG_XID);
    }

    @Test
    void beginPrepare() {
        assertThat(parse(Samples.beginPrepare(), V3, false))
                .isEqualTo(new BeginPrepare(new Lsn(LSN), new Lsn(LSN2), TIME, BIG_XID, "gid-1"));
    }

    @Test
    void prepare() {
        assertThat(parse(Samples.twoPhase('P'), V3, false))
                .isEqualTo(new Prepare((byte) 0, new Lsn(LSN), new Lsn(LSN2), TIME, BIG_XID, "gid-ü"));
    }

    @Test
    void commitPrepared() {
        assertThat(parse(Samples.twoPhase('K'), V4, false))
                .isEqualTo(new CommitPrepared((byte) 0, new Lsn(LSN), new Lsn(LSN2), TIME, BIG_XID, "gid-ü"));
    }

    @Test
    void rollbackPrepared() {
        assertThat(parse(Samples.rollbackPrepared(), V3, false))
                .isEqualTo(
                        new RollbackPrepared((byte) 0, new Lsn(LSN), new Lsn(LSN2), TIME, TIME + 1, BIG_XID, "gid-1"));
    }

    @Test
    void streamPrepare() {
        assertThat(parse(Samples.twoPhase('p'), V3, false))
                .isEqualTo(new StreamPrepare((byte) 0, new Lsn(LSN), new Lsn(LSN2), TIME, BIG_XID, "gid-ü"));
    }

    @Test
    void parsesAtAnOffsetInsideALargerArray() {
        byte[] msg = Samples.commit();
        byte[] buf = new byte[msg.length + 7];
        buf[0] = 'X';
        System.arraycopy(msg, 0, buf, 3, msg.length);
        buf[buf.length - 1] = 'Z';
        assertThat(PgOutputParser.parse(buf, 3, msg.length, V1, false)).isEqualTo(parse(msg, V1, false));
    }
}
