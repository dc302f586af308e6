package io.pgferry.connect.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the sink connector splits its work into tasks. */
class PgferryJdbcSinkConnectorTest {

    /**
     * Issue 10: SQLite takes one writer at a time, and cannot keep an added column's value as its default for rows
     * another task writes later in an older shape; the connector runs one task there whatever {@code tasks.max} says.
     */
    @Test
    void sqliteGetsOneTaskAndOtherTargetsTasksMax(@TempDir Path dir) {
        assertThat(tasks("sqlite:" + dir.resolve("x.db"), 4)).isEqualTo(1);
        assertThat(tasks("host=127.0.0.1 port=1 dbname=x user=u", 4)).isEqualTo(4);
        assertThat(tasks("mariadb://u@127.0.0.1:1/db", 3)).isEqualTo(3);
    }

    private static int tasks(String target, int max) {
        Map<String, String> config = SinkPipeline.sinkConfig("split", target, null);
        config.put("name", "split-sink");
        PgferryJdbcSinkConnector connector = new PgferryJdbcSinkConnector();
        connector.start(config);
        try {
            return connector.taskConfigs(max).size();
        } finally {
            connector.stop();
        }
    }
}
