package io.pgferry.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.core.pgoutput.ParserOptions;
import io.pgferry.core.pgoutput.PgOutputMessage;
import io.pgferry.core.pgoutput.PgOutputParser;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class SyntheticMessagesTest {
    private static final ParserOptions V4 = ParserOptions.of(4);

    private static PgOutputMessage parse(byte[] m) {
        return PgOutputParser.parse(m, 0, m.length, V4, false);
    }

    @Test
    void relationDescribesTenColumnsWithIdAsKey() {
        PgOutputMessage.Relation r = (PgOutputMessage.Relation) parse(SyntheticMessages.relation());
        assertThat(r.oid()).isEqualTo(SyntheticMessages.RELATION_OID);
        assertThat(r.columns()).hasSize(10);
        assertThat(r.columns().get(0).name()).isEqualTo("id");
        assertThat(r.columns().get(0).flags()).isEqualTo((byte) 1);
    }

    @Test
    void insertCarriesTenTextColumns() {
        PgOutputMessage.Insert i = (PgOutputMessage.Insert) parse(SyntheticMessages.insert(42));
        assertThat(i.relationOid()).isEqualTo(SyntheticMessages.RELATION_OID);
        assertThat(i.newTuple().size()).isEqualTo(SyntheticMessages.columnCount());
        assertThat(i.newTuple().text(0)).isEqualTo("42");
        assertThat(i.newTuple().text(2)).isEqualTo("customer-42");
    }

    @Test
    void beginAndCommitRoundTrip() {
        PgOutputMessage.Begin b = (PgOutputMessage.Begin) parse(SyntheticMessages.begin(0x1234));
        assertThat(b.finalLsn().value()).isEqualTo(0x1234);
        assertThat(b.xid()).isEqualTo(SyntheticMessages.XID);
        PgOutputMessage.Commit c = (PgOutputMessage.Commit) parse(SyntheticMessages.commit(0x1234, 0x1260));
        assertThat(c.commitLsn().value()).isEqualTo(0x1234);
        assertThat(c.endLsn().value()).isEqualTo(0x1260);
    }

    @Test
    void assemblerBenchmarkDeliversEveryRowOfEachTransaction() throws IOException {
        AssemblerBenchmark bench = new AssemblerBenchmark();
        bench.setUp();
        assertThat(bench.transactionOf1000Inserts()).isEqualTo(AssemblerBenchmark.ROWS);
        assertThat(bench.transactionOf1000Inserts()).isEqualTo(2L * AssemblerBenchmark.ROWS);
        bench.tearDown();
    }

    @Test
    void parserBenchmarkParsesAnInsert() {
        ParserBenchmark bench = new ParserBenchmark();
        bench.setUp();
        assertThat(bench.parseInsert10Columns()).isInstanceOf(PgOutputMessage.Insert.class);
    }
}
