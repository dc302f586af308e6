package io.pgferry.core.pgoutput;

import static io.pgferry.core.pgoutput.Samples.BIG_XID;
import static io.pgferry.core.pgoutput.Samples.LSN;
import static io.pgferry.core.pgoutput.Samples.V1;
import static io.pgferry.core.pgoutput.Samples.V2;
import static io.pgferry.core.pgoutput.Samples.V4;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.core.Lsn;
import io.pgferry.core.pgoutput.PgOutputMessage.Delete;
import io.pgferry.core.pgoutput.PgOutputMessage.Insert;
import io.pgferry.core.pgoutput.PgOutputMessage.LogicalMessage;
import io.pgferry.core.pgoutput.PgOutputMessage.Relation;
import io.pgferry.core.pgoutput.PgOutputMessage.RelationColumn;
import io.pgferry.core.pgoutput.PgOutputMessage.Truncate;
import io.pgferry.core.pgoutput.PgOutputMessage.Type;
import io.pgferry.core.pgoutput.PgOutputMessage.Update;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Relation, Type, the row changes, Truncate and Message, in and out of stream blocks. */
class PgOutputParserChangeTest {

    static PgOutputMessage parse(byte[] bytes, ParserOptions options, boolean inStreamBlock) {
        return PgOutputParser.parse(bytes, 0, bytes.length, options, inStreamBlock);
    }

    @Test
    void relationWithUnicodeIdentifiers() {
        Relation r = (Relation) parse(Samples.relation(false), V1, false);
        assertThat(r.xid()).isZero();
        assertThat(r.oid()).isEqualTo(16385);
        assertThat(r.namespace()).isEqualTo("schéma");
        assertThat(r.name()).isEqualTo("表");
        assertThat(r.replicaIdentity()).isEqualTo((byte) 'd');
        assertThat(r.columns())
                .containsExactly(
                        new RelationColumn((byte) 1, "id", 23, -1),
                        new RelationColumn((byte) 0, "ключ", 1043, 68),
                        new RelationColumn((byte) 0, "", 17, -1));
        assertThat(r.columns().get(0).isKey()).isTrue();
        assertThat(r.columns().get(1).isKey()).isFalse();
    }

    @Test
    void relationInStreamBlockCarriesXid() {
        Relation r = (Relation) parse(Samples.relation(true), V2, true);
        assertThat(r.xid()).isEqualTo(BIG_XID);
        assertThat(r.name()).isEqualTo("表");
        assertThat(r.columns()).hasSize(3);
    }

    @Test
    void protocolOneHasNoStreamXidEvenWhenToldItIsInAStreamBlock() {
        Relation r = (Relation) parse(Samples.relation(false), V1, true);
        assertThat(r.xid()).isZero();
        assertThat(r.oid()).isEqualTo(16385);
    }

    @Test
    void relationWithoutColumnsAndEmptyNamespace() {
        // pg_catalog is sent as an empty namespace (docs: "empty string for pg_catalog").
        byte[] bytes = MessageBuilder.tag('R')
                .int32(7)
                .cstring("")
                .cstring("t")
                .int8('f')
                .int16(0)
                .build();
        Relation r = (Relation) parse(bytes, V1, false);
        assertThat(r.namespace()).isEmpty();
        assertThat(r.replicaIdentity()).isEqualTo((byte) 'f');
        assertThat(r.columns()).isEmpty();
    }

    @Test
    void type() {
        assertThat(parse(Samples.type(false), V1, false)).isEqualTo(new Type(0, 90001, "public", "mood"));
        assertThat(parse(Samples.type(true), V2, true)).isEqualTo(new Type(42, 90001, "public", "mood"));
    }

    @Test
    void insertWithTextNullToastBinaryAndEmptyColumns() {
        Insert insert = (Insert) parse(Samples.insert(), V1, false);
        assertThat(insert.xid()).isZero();
        assertThat(insert.relationOid()).isEqualTo(16385);
        TupleData t = insert.newTuple();
        assertThat(t.size()).isEqualTo(5);
        assertThat(t.kind(0)).isEqualTo(TupleData.TEXT);
        assertThat(t.text(0)).isEqualTo("42");
        assertThat(t.isNull(1)).isTrue();
        assertThat(t.text(1)).isNull();
        assertThat(t.isUnchangedToast(2)).isTrue();
        assertThat(t.bytes(2)).isNull();
        assertThat(t.kind(3)).isEqualTo(TupleData.BINARY);
        assertThat(t.bytes(3)).containsExactly(0, 1, 2, 0xFF);
        assertThat(t.text(4)).isEmpty();
    }

    @Test
    void tupleReferencesTheCallersArrayWithoutCopying() {
        byte[] msg = Samples.insert();
        byte[] buf = new byte[msg.length + 10];
        System.arraycopy(msg, 0, buf, 10, msg.length);
        TupleData t = ((Insert) PgOutputParser.parse(buf, 10, msg.length, V1, false)).newTuple();
        assertThat(t.buffer()).isSameAs(buf);
        // Tag 1, oid 4, 'N' 1, count 2, kind 1, length 4: the first value starts 13 bytes into the message.
        assertThat(t.offset(0)).isEqualTo(10 + 13);
        assertThat(t.length(0)).isEqualTo(2);
        assertThat(new String(buf, t.offset(0), t.length(0), StandardCharsets.UTF_8))
                .isEqualTo("42");
    }

    @Test
    void insertInStreamBlockWithUnicodeValue() {
        byte[] bytes = MessageBuilder.tag('I')
                .int32(BIG_XID)
                .int32(16385)
                .int8('N')
                .columns(1)
                .text("grüß 😀")
                .build();
        Insert insert = (Insert) parse(bytes, V4, true);
        assertThat(insert.xid()).isEqualTo(BIG_XID);
        assertThat(insert.newTuple().text(0)).isEqualTo("grüß 😀");
    }

    @Test
    void updateWithoutOldTuple() {
        Update u = (Update) parse(Samples.updateWithout(), V1, false);
        assertThat(u.relationOid()).isEqualTo(16385);
        assertThat(u.oldKind()).isZero();
        assertThat(u.oldTuple()).isNull();
        assertThat(u.newTuple().text(1)).isEqualTo("new");
    }

    @Test
    void updateWithOldKey() {
        Update u = (Update) parse(Samples.updateWith('K'), V1, false);
        assertThat(u.oldKind()).isEqualTo((byte) 'K');
        assertThat(u.oldTuple().text(0)).isEqualTo("1");
        assertThat(u.newTuple().text(0)).isEqualTo("2");
        assertThat(u.newTuple().isUnchangedToast(1)).isTrue();
    }

    @Test
    void updateWithWholeOldRow() {
        Update u = (Update) parse(Samples.updateWith('O'), V1, false);
        assertThat(u.oldKind()).isEqualTo((byte) 'O');
        assertThat(u.oldTuple().text(1)).isEqualTo("old");
        assertThat(u.newTuple().size()).isEqualTo(2);
    }

    @Test
    void updateInStreamBlock() {
        byte[] bytes = MessageBuilder.tag('U')
                .int32(99)
                .int32(16385)
                .int8('N')
                .columns(1)
                .text("v")
                .build();
        Update u = (Update) parse(bytes, V2, true);
        assertThat(u.xid()).isEqualTo(99);
        assertThat(u.newTuple().text(0)).isEqualTo("v");
    }

    @Test
    void deleteWithKeyAndWithOldRow() {
        Delete key = (Delete) parse(Samples.delete('K'), V1, false);
        assertThat(key.oldKind()).isEqualTo((byte) 'K');
        assertThat(key.oldTuple().text(0)).isEqualTo("1");
        assertThat(key.oldTuple().isNull(1)).isTrue();
        Delete old = (Delete) parse(Samples.delete('O'), V1, false);
        assertThat(old.oldKind()).isEqualTo((byte) 'O');
    }

    @Test
    void deleteInStreamBlock() {
        byte[] bytes = MessageBuilder.tag('D')
                .int32(5)
                .int32(16385)
                .int8('K')
                .columns(1)
                .text("1")
                .build();
        assertThat(((Delete) parse(bytes, V2, true)).xid()).isEqualTo(5);
    }

    @Test
    void truncateWithSeveralRelationsCascadeAndRestartIdentity() {
        Truncate t = (Truncate) parse(Samples.truncate(), V1, false);
        assertThat(t.xid()).isZero();
        assertThat(t.relationOids()).containsExactly(16385, 16390, 0xFFFF_FFF0);
        assertThat(t.cascade()).isTrue();
        assertThat(t.restartIdentity()).isTrue();
    }

    @Test
    void truncateOptionBits() {
        Truncate cascade = (Truncate) parse(truncateWith(1), V1, false);
        assertThat(cascade.cascade()).isTrue();
        assertThat(cascade.restartIdentity()).isFalse();
        Truncate restart = (Truncate) parse(truncateWith(2), V1, false);
        assertThat(restart.cascade()).isFalse();
        assertThat(restart.restartIdentity()).isTrue();
        Truncate plain = (Truncate) parse(truncateWith(0), V1, false);
        assertThat(plain.cascade()).isFalse();
        assertThat(plain.restartIdentity()).isFalse();
        assertThat(plain.relationOids()).containsExactly(16385);
    }

    private static byte[] truncateWith(int options) {
        return MessageBuilder.tag('T').int32(1).int8(options).int32(16385).build();
    }

    @Test
    void truncateInStreamBlock() {
        byte[] bytes = MessageBuilder.tag('T')
                .int32(BIG_XID)
                .int32(2)
                .int8(0)
                .int32(1)
                .int32(2)
                .build();
        Truncate t = (Truncate) parse(bytes, V2, true);
        assertThat(t.xid()).isEqualTo(BIG_XID);
        assertThat(t.relationOids()).containsExactly(1, 2);
    }

    @Test
    void transactionalMessage() {
        LogicalMessage m = (LogicalMessage) parse(Samples.message(false, 1), V1, false);
        assertThat(m.xid()).isZero();
        assertThat(m.transactional()).isTrue();
        assertThat(m.lsn()).isEqualTo(new Lsn(LSN));
        assertThat(m.prefix()).isEqualTo("pgferry");
        assertThat(m.content()).containsExactly('a', 0, 'b', 0x80);
    }

    @Test
    void nonTransactionalMessageWithEmptyContent() {
        byte[] bytes = MessageBuilder.tag('M')
                .int8(0)
                .int64(LSN)
                .cstring("präfix")
                .int32(0)
                .build();
        LogicalMessage m = (LogicalMessage) parse(bytes, V1, false);
        assertThat(m.transactional()).isFalse();
        assertThat(m.prefix()).isEqualTo("präfix");
        assertThat(m.content()).isEmpty();
    }

    @Test
    void messageInStreamBlockCarriesXid() {
        LogicalMessage m = (LogicalMessage) parse(Samples.message(true, 1), V2, true);
        assertThat(m.xid()).isEqualTo(77);
        assertThat(m.content()).hasSize(4);
    }

    @Test
    void messageContentIsACopy() {
        byte[] bytes = Samples.message(false, 1);
        LogicalMessage m = (LogicalMessage) parse(bytes, V1, false);
        bytes[bytes.length - 1] = 'z';
        assertThat(m.content()[3]).isEqualTo((byte) 0x80);
    }
}
