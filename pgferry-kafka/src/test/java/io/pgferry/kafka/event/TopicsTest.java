package io.pgferry.kafka.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Topic names: prefix, schema segment (mapped by --schema-map, issue 7), table, sanitised as Debezium does. */
class TopicsTest {
    @Test
    void aMappedSchemaBecomesAnotherTopicSegment() {
        Topics t = new Topics("shop", Map.of("sales", "eu"));
        assertThat(t.table("sales", "orders")).isEqualTo("shop.eu.orders");
        assertThat(t.table("public", "Ünï codé")).isEqualTo("shop.public._n__cod_");
        assertThat(t.offsets()).isEqualTo("shop.pgferry_offsets");
    }
}
