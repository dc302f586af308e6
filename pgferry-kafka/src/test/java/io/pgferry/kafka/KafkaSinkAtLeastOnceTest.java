package io.pgferry.kafka;

import static io.pgferry.kafka.TestBroker.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgferry.core.PgFerryException;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** At-least-once delivery, and the errors of both modes: a lost broker, a record too large, bad TLS settings. */
@PgTest
@Tag("kafka")
class KafkaSinkAtLeastOnceTest {

    @Test
    void atLeastOnceSendsWithoutTransactionsAndStoresThePositionAfterTheData(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY)");
        List<Captured> txs =
                Captured.capture(db, List.of("public.t"), 2, "INSERT INTO t VALUES (1)", "DELETE FROM t WHERE id = 1");
        String prefix = TestBroker.freshPrefix();
        KafkaTarget target =
                TestBroker.target(prefix).delivery(Delivery.AT_LEAST_ONCE).build();
        try (KafkaSink sink = KafkaSink.open(target, () -> "fp")) {
            assertThat(sink.transactionPerBatch()).isFalse();
            assertThat(sink.storesPosition()).isFalse();
            sink.begin();
            txs.get(0).applyTo(sink);
            txs.get(1).applyTo(sink);
            sink.commit(txs.get(1).endLsn(), txs.get(1).commitTime());
            assertThat(sink.durablePosition()).isEqualTo(txs.get(1).endLsn());
        }
        assertThat(TestBroker.await(prefix + ".public.t", 3))
                .extracting(r -> r.value() == null
                        ? "tombstone"
                        : json(r.value()).get("op").asText())
                .containsExactly("c", "d", "tombstone");
        try (KafkaSink sink = KafkaSink.open(target, () -> "fp")) {
            assertThat(sink.position()).contains(txs.get(1).endLsn());
        }
    }

    @Test
    void aBrokerThatCannotBeReachedIsARetriableError() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        for (Delivery delivery : Delivery.values()) {
            KafkaTarget target = KafkaTarget.parseUri("kafka://127.0.0.1:" + port
                            + "?producer.max.block.ms=1000&producer.default.api.timeout.ms=1000"
                            + "&producer.request.timeout.ms=500&delivery=" + delivery.uriValue())
                    .syncName("lost")
                    .sourceDatabase("db")
                    .build();
            assertThatThrownBy(() -> KafkaSink.open(target, () -> "fp"))
                    .isInstanceOfSatisfying(PgFerryException.class, e -> {
                        assertThat(e.isRetriable()).isTrue();
                        assertThat(e.getMessage()).contains("127.0.0.1:" + port).doesNotContain("\n");
                    });
        }
    }

    @Test
    void aRecordLargerThanTheProducerTakesIsFatal(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY, pad text)");
        List<Captured> txs =
                Captured.capture(db, List.of("public.t"), 1, "INSERT INTO t VALUES (1, repeat('x', 5000))");
        String prefix = TestBroker.freshPrefix();
        for (Delivery delivery : Delivery.values()) {
            KafkaTarget target = TestBroker.target(prefix)
                    .delivery(delivery)
                    .producerProperty("max.request.size", "2000")
                    .build();
            try (KafkaSink sink = KafkaSink.open(target, () -> "fp")) {
                assertThatThrownBy(() -> Captured.commitEach(sink, txs))
                        .isInstanceOfSatisfying(PgFerryException.class, e -> {
                            assertThat(e.isRetriable()).isFalse();
                            assertThat(e.getMessage())
                                    .contains("RecordTooLargeException", prefix + ".public.t")
                                    .doesNotContain("xxxxx");
                        });
                sink.rollback();
            }
        }
    }

    /**
     * Issue 7: TLS and SASL secrets could only be given in the target URI, which a command line shows to every user
     * of the machine. A producer.config file holds them; its settings reach the producer (here a truststore that
     * cannot be read fails it, as in the URI) and its secrets appear in no message.
     */
    @Test
    void settingsOfAProducerConfigFileReachTheProducerAndItsSecretsNoMessage(@TempDir Path dir) throws IOException {
        String password = "S3cret-From-File";
        Path file = dir.resolve("client.properties");
        Files.writeString(
                file,
                String.join(
                        "\n",
                        "# TLS and SASL for the pgferry principal",
                        "security.protocol=SASL_SSL",
                        "ssl.truststore.location=/nonexistent/truststore.jks",
                        "ssl.truststore.password=" + password,
                        "sasl.mechanism=PLAIN",
                        "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required \\",
                        "  username=\"u\" password=\"" + password + "\";"));
        KafkaTarget target = KafkaTarget.parseUri(TestBroker.bootstrapServersUri() + "?producer.config=" + file)
                .syncName("secret-file")
                .sourceDatabase("db")
                .build();
        assertThat(target.producerProperties()).containsEntry("sasl.mechanism", "PLAIN");
        assertThat(target.toString()).contains("ssl.truststore.password").doesNotContain(password);
        assertThatThrownBy(() -> KafkaSink.open(target, () -> "fp"))
                .isInstanceOfSatisfying(PgFerryException.class, e -> {
                    assertThat(e.isRetriable())
                            .as("a TLS file that cannot be read")
                            .isFalse();
                    StringWriter trace = new StringWriter();
                    e.printStackTrace(new PrintWriter(trace));
                    assertThat(trace.toString()).contains("truststore").doesNotContain(password);
                });
    }

    @Test
    void secretsOfTheTargetAppearInNoMessage() {
        String password = "S3cret-Truststore-Pw";
        String jaasPassword = "S3cret-Sasl-Pw";
        KafkaTarget target = KafkaTarget.parseUri(TestBroker.bootstrapServersUri()
                        + "?producer.security.protocol=SASL_SSL"
                        + "&producer.ssl.truststore.location=/nonexistent/truststore.jks"
                        + "&producer.ssl.truststore.password=" + password
                        + "&producer.sasl.mechanism=PLAIN"
                        + "&producer.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule"
                        + "%20required%20username%3D%22u%22%20password%3D%22" + jaasPassword + "%22%3B")
                .syncName("secret")
                .sourceDatabase("db")
                .build();
        assertThat(target.toString())
                .contains("ssl.truststore.password", "sasl.jaas.config")
                .doesNotContain(password, jaasPassword);
        assertThatThrownBy(() -> KafkaSink.open(target, () -> "fp"))
                .isInstanceOfSatisfying(PgFerryException.class, e -> {
                    assertThat(e.isRetriable())
                            .as("a TLS file that cannot be read")
                            .isFalse();
                    StringWriter trace = new StringWriter();
                    e.printStackTrace(new PrintWriter(trace));
                    assertThat(trace.toString()).contains("truststore").doesNotContain(password, jaasPassword);
                });
    }
}
