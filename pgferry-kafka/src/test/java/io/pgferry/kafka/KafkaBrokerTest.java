package io.pgferry.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.testkit.KafkaBroker;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The test kit's broker starts inside the JVM and accepts clients. */
@Tag("kafka")
class KafkaBrokerTest {
    @Test
    void brokerStartsAndListsItsNode() throws Exception {
        KafkaBroker broker = KafkaBroker.shared();
        try (Admin admin =
                Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            assertThat(admin.describeCluster().nodes().get()).hasSize(1);
            assertThat(List.of(broker.bootstrapServers().split(","))).hasSize(1);
        }
    }
}
