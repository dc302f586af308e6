package io.pgferry.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgferry.core.PgFerryException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The target URI and the configuration it gives: options, defaults, and refusals that quote no secret. */
@Tag("kafka")
class KafkaTargetTest {
    private static KafkaTarget parse(String uri) {
        return KafkaTarget.parseUri(uri)
                .syncName("orders")
                .sourceDatabase("shop")
                .build();
    }

    private static PgFerryException refusal(String uri) {
        try {
            parse(uri);
        } catch (PgFerryException e) {
            assertThat(e.isRetriable()).isFalse();
            assertThat(e.getMessage()).doesNotContain("\n");
            return e;
        }
        throw new AssertionError("accepted: " + uri);
    }

    @Test
    void defaults() {
        KafkaTarget t = parse("kafka://broker1:9092");
        assertThat(t.bootstrapServers()).isEqualTo("broker1:9092");
        assertThat(t.topicPrefix()).as("the sync name by default").isEqualTo("orders");
        assertThat(t.delivery()).isEqualTo(Delivery.EXACTLY_ONCE);
        assertThat(t.tombstones()).isTrue();
        assertThat(t.transactionMetadata()).isFalse();
        assertThat(t.schemas()).isFalse();
        assertThat(t.transactionPerSourceTransaction()).isFalse();
        assertThat(t.producerProperties()).isEmpty();
        assertThat(t.transactionalId()).isEqualTo("pgferry-orders");
        assertThat(t.copyTransactionalId(2)).isEqualTo("pgferry-orders-copy-2");
        assertThat(t.sourceDatabase()).isEqualTo("shop");
    }

    @Test
    void everyOption() {
        KafkaTarget t = parse("kafka://b1:9092,b2:9093,[::1]:9094/?topic.prefix=shop-cdc&delivery=at-least-once"
                + "&tombstones=false&transaction.metadata=true&schemas=true"
                + "&producer.ssl.truststore.location=%2Fetc%2Fkafka%2Ftrust.jks&producer.linger.ms=20");
        assertThat(t.bootstrapServers()).isEqualTo("b1:9092,b2:9093,[::1]:9094");
        assertThat(t.topicPrefix()).isEqualTo("shop-cdc");
        assertThat(t.delivery()).isEqualTo(Delivery.AT_LEAST_ONCE);
        assertThat(t.tombstones()).isFalse();
        assertThat(t.transactionMetadata()).isTrue();
        assertThat(t.schemas()).isTrue();
        assertThat(t.producerProperties())
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of("ssl.truststore.location", "/etc/kafka/trust.jks", "linger.ms", "20"));
    }

    /**
     * Issue 7 asks for one source transaction per Kafka transaction; the default groups consecutive ones (documented),
     * and this option gives what the issue names. Without transactions it would mean nothing, so it is refused there.
     */
    @Test
    void oneKafkaTransactionPerSourceTransactionIsAnExactlyOnceOption() {
        KafkaTarget t = parse("kafka://b:9092?transaction.per.source.transaction=true");
        assertThat(t.transactionPerSourceTransaction()).isTrue();
        assertThat(t.toString()).contains("transactionPerSourceTransaction=true");
        assertThat(t.withSchemaMap(Map.of("sales", "eu")).transactionPerSourceTransaction())
                .isTrue();
        assertThat(parse("kafka://b:9092?transaction.per.source.transaction=false")
                        .transactionPerSourceTransaction())
                .isFalse();
        PgFerryException e = refusal("kafka://b:9092?delivery=at-least-once&transaction.per.source.transaction=true");
        assertThat(e.problem()).contains("needs exactly-once delivery");
        assertThat(e.fix()).contains("delivery=exactly-once", "transaction.per.source.transaction");
        assertThat(refusal("kafka://b:9092?transaction.per.source.transaction=1")
                        .getMessage())
                .contains("transaction.per.source.transaction=1 is not true or false");
    }

    @Test
    void aSchemaMapAddedLaterJoinsTheTargetsOwnAndAConflictIsRefused() {
        KafkaTarget t = KafkaTarget.parseUri("kafka://b:9092")
                .syncName("orders")
                .sourceDatabase("shop")
                .mapSchema("sales", "eu")
                .build();
        KafkaTarget both = t.withSchemaMap(Map.of("hr", "people", "sales", "eu"));
        assertThat(both.schemaMap()).isEqualTo(Map.of("sales", "eu", "hr", "people"));
        assertThat(both.withSchemaMap(Map.of())).isEqualTo(both);
        assertThatThrownBy(() -> t.withSchemaMap(Map.of("sales", "us")))
                .isInstanceOf(PgFerryException.class)
                .hasMessageContaining("schema sales is mapped to us by the sync but to eu by the Kafka target");
    }

    @Test
    void anUnknownOptionIsRefusedNamingItAndTheKnownOnes() {
        PgFerryException e = refusal("kafka://b:9092?tombstone=false");
        assertThat(e.problem()).contains("unknown option tombstone");
        assertThat(e.fix())
                .contains(
                        "topic.prefix",
                        "delivery",
                        "tombstones",
                        "transaction.metadata",
                        "schemas",
                        "transaction.per.source.transaction",
                        "producer.");
    }

    @Test
    void badValuesAreRefused() {
        assertThat(refusal("kafka://b:9092?delivery=twice").getMessage()).contains("delivery=twice");
        assertThat(refusal("kafka://b:9092?schemas=yes").getMessage()).contains("schemas=yes");
        assertThat(refusal("kafka://b:9092?topic.prefix=a/b").getMessage()).contains("topic.prefix");
        assertThat(refusal("kafka://b:9092?schemas=true&schemas=false").getMessage())
                .contains("twice");
        assertThat(refusal("http://b:9092").getMessage()).contains("kafka://");
        assertThat(refusal("kafka://b").getMessage()).contains("host:port");
        assertThat(refusal("kafka://b:99999").getMessage()).contains("host:port");
        assertThat(refusal("kafka://?schemas=true").getMessage()).contains("no broker");
        assertThat(refusal("kafka://b:9092?producer.acks=1").getMessage()).contains("acks");
        assertThat(refusal("kafka://b:9092?producer.transactional.id=x").getMessage())
                .contains("transactional.id");
    }

    @Test
    void noRefusalQuotesASecret() {
        String secret = "hunter2-Secret";
        assertThat(refusal("kafka://admin:" + secret + "@b:9092").getMessage()).doesNotContain(secret);
        assertThat(refusal("kafka://b:9092?" + secret).getMessage()).doesNotContain(secret);
        assertThat(refusal("kafka://b:9092?producer.ssl.key.password=" + secret + "%zz")
                        .getMessage())
                .contains("producer.ssl.key.password")
                .doesNotContain(secret);
        assertThat(refusal("kafka://b:9092?producer.sasl.jaas.config=" + secret + "&bogus=1")
                        .getMessage())
                .contains("bogus")
                .doesNotContain(secret);
    }

    @Test
    void aProducerConfigFileGivesTheSettingsTheUriLeavesOut(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("client.properties");
        Files.writeString(file, "linger.ms = 5\nssl.key.password=from-file\n# a comment\ncompression.type=zstd\n");
        KafkaTarget t = parse("kafka://b:9092?producer.linger.ms=50&producer.config=" + file);
        assertThat(t.producerProperties())
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of("linger.ms", "50", "ssl.key.password", "from-file", "compression.type", "zstd"));
    }

    @Test
    void aProducerConfigFileIsRefusedWhenMissingOrWhenItSetsWhatPgferryMakes(@TempDir Path dir) throws IOException {
        assertThat(refusal("kafka://b:9092?producer.config=" + dir.resolve("none.properties"))
                        .getMessage())
                .contains("none.properties", "does not exist");
        Path file = dir.resolve("client.properties");
        Files.writeString(file, "ssl.key.password=hunter2-Secret\ntransactional.id=mine\n");
        assertThat(refusal("kafka://b:9092?producer.config=" + file).getMessage())
                .contains("transactional.id")
                .doesNotContain("hunter2-Secret", "mine");
        assertThat(refusal("kafka://b:9092?producer.config=" + file + "&producer.config=" + file)
                        .getMessage())
                .contains("twice");
    }

    @Test
    void toStringShowsTheNamesOfProducerSettingsNeverTheirValues() {
        KafkaTarget t = KafkaTarget.builder()
                .bootstrapServers("b:9092")
                .syncName("s")
                .sourceDatabase("db")
                .producerProperty("ssl.keystore.password", "pw-value")
                .producerProperty("sasl.jaas.config", "jaas-value")
                .producerProperty("security.protocol", "SASL_SSL")
                .build();
        assertThat(t.toString())
                .contains("sasl.jaas.config", "ssl.keystore.password", "security.protocol")
                .doesNotContain("pw-value", "jaas-value", "SASL_SSL");
    }

    @Test
    void aTargetNeedsASyncNameAndADatabase() {
        assertThatThrownBy(() -> KafkaTarget.parseUri("kafka://b:9092")
                        .sourceDatabase("db")
                        .build())
                .isInstanceOf(PgFerryException.class)
                .hasMessageContaining("sync name");
        assertThatThrownBy(() ->
                        KafkaTarget.parseUri("kafka://b:9092").syncName("s").build())
                .isInstanceOf(PgFerryException.class)
                .hasMessageContaining("source database");
    }
}
