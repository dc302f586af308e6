package io.pgferry.connect.source;

import io.pgferry.connect.FrameworkKeys;
import io.pgferry.connect.PluginVersion;
import io.pgferry.connect.Validation;
import io.pgferry.core.PgFerryException;
import io.pgferry.postgres.admin.Finding;
import io.pgferry.postgres.admin.Preflight;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.ConnectorTransactionBoundaries;
import org.apache.kafka.connect.source.ExactlyOnceSupport;
import org.apache.kafka.connect.source.SourceConnector;

/**
 * The pgferry source connector: the changes of one PostgreSQL publication, read from one logical replication slot,
 * as Debezium-compatible records with pgferry's exact value encoding, whole transactions at a time, in bounded memory.
 * A slot has one reader, so the connector runs one task; a configuration asking for more is refused. It supports
 * exactly-once delivery (KIP-618) and defines transaction boundaries itself: with {@code
 * transaction.boundary=connector}, each Kafka transaction holds whole source transactions, never part of one. See docs/connect.md.
 */
public final class PgferrySourceConnector extends SourceConnector {
    private Map<String, String> props;

    @Override
    public String version() {
        return PluginVersion.get();
    }

    @Override
    public void start(Map<String, String> props) {
        try {
            SourceConfig.parse(props);
        } catch (PgFerryException e) {
            throw new ConnectException(e.getMessage(), e);
        }
        refuseMoreTasks(props.get("tasks.max"));
        this.props = Map.copyOf(props);
    }

    private static void refuseMoreTasks(String tasksMax) {
        if (tasksMax != null && !tasksMax.strip().equals("1")) {
            throw new ConnectException(tasksMaxProblem());
        }
    }

    private static String tasksMaxProblem() {
        return "a replication slot has one reader, so this connector runs one task: set tasks.max to 1 (for more"
                + " throughput, split the tables over several publications, slots and connectors)";
    }

    @Override
    public Class<? extends Task> taskClass() {
        return PgferrySourceTask.class;
    }

    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        return List.of(props);
    }

    @Override
    public void stop() {}

    @Override
    public ConfigDef config() {
        return SourceConfig.DEF;
    }

    @Override
    public ExactlyOnceSupport exactlyOnceSupport(Map<String, String> config) {
        return ExactlyOnceSupport.SUPPORTED;
    }

    @Override
    public ConnectorTransactionBoundaries canDefineTransactionBoundaries(Map<String, String> config) {
        return ConnectorTransactionBoundaries.SUPPORTED;
    }

    /**
     * Connect's checks of each key, then: keys neither Connect nor this connector knows, {@code tasks.max} above 1,
     * values the CLI would refuse (a malformed connection string, a bad slot name), and, when those are fine, the
     * source itself: reachable, a role that may replicate, {@code wal_level=logical}, the publication there (or
     * tables to create it for), and a mask file its tables can take.
     */
    @Override
    public Config validate(Map<String, String> connectorConfigs) {
        Validation v = new Validation(
                super.validate(connectorConfigs),
                connectorConfigs,
                FrameworkKeys::isSourceKey,
                "pgferry source connector");
        String tasksMax = connectorConfigs.get("tasks.max");
        if (tasksMax != null && !tasksMax.strip().equals("1")) {
            v.error("tasks.max", tasksMaxProblem());
        }
        if (v.clean()) {
            checkSource(connectorConfigs, v);
        }
        return v.result();
    }

    private static void checkSource(Map<String, String> configs, Validation values) {
        SourceConfig.Settings s;
        try {
            s = SourceConfig.parse(configs);
        } catch (PgFerryException e) {
            String key = SourceConfig.keyOf(e.getMessage());
            values.error(key == null ? SourceConfig.SOURCE : key, e.getMessage());
            return;
        }
        List<Finding> findings;
        try {
            findings = Preflight.run(s.source(), s.publication(), s.tables());
        } catch (PgFerryException e) {
            values.error(SourceConfig.SOURCE, e.getMessage());
            return;
        }
        boolean failed = false;
        for (Finding f : findings) {
            if (f.severity() == Finding.Severity.FAIL) {
                String key = f.subject().startsWith("publication")
                        ? SourceConfig.PUBLICATION
                        : f.subject().startsWith("table") ? SourceConfig.TABLES : SourceConfig.SOURCE;
                values.error(key, f.subject() + " " + f.message() + "; " + f.fix());
                failed = true;
            }
        }
        if (!failed) {
            try {
                s.refuseBadMask();
            } catch (PgFerryException e) {
                String key = SourceConfig.keyOf(e.getMessage());
                values.error(key == null ? SourceConfig.SOURCE : key, e.getMessage());
            }
        }
    }
}
