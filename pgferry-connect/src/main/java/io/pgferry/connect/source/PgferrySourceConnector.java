package io.pgferry.connect.source;

import io.pgferry.core.PgFerryException;
import io.pgferry.kafka.SourceBlock;
import io.pgferry.postgres.Finding;
import io.pgferry.postgres.Preflight;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigValue;
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
    /** Keys Kafka Connect itself reads from a connector's configuration, beside the connector's own. */
    private static final List<String> FRAMEWORK_KEYS = List.of(
            "name",
            "connector.class",
            "connector.plugin.version",
            "tasks.max",
            "tasks.max.enforce",
            "config.action.reload",
            "exactly.once.support",
            "transaction.boundary",
            "transaction.boundary.interval.ms",
            "offsets.storage.topic");

    private static final List<String> FRAMEWORK_PREFIXES = List.of(
            "key.converter",
            "value.converter",
            "header.converter",
            "transforms",
            "predicates",
            "errors.",
            "topic.creation.",
            "producer.override.",
            "consumer.override.",
            "admin.override.");

    private Map<String, String> props;

    @Override
    public String version() {
        return projectVersion();
    }

    static String projectVersion() {
        return SourceBlock.VERSION.substring("pgferry-".length());
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
     * source itself: reachable, a role that may replicate, {@code wal_level=logical}, and the publication there (or
     * tables to create it for).
     */
    @Override
    public Config validate(Map<String, String> connectorConfigs) {
        Config config = super.validate(connectorConfigs);
        Map<String, ConfigValue> values = new LinkedHashMap<>();
        for (ConfigValue v : config.configValues()) {
            values.put(v.name(), v);
        }
        List<ConfigValue> extra = new ArrayList<>();
        for (String key : connectorConfigs.keySet()) {
            if (!values.containsKey(key) && !isFrameworkKey(key)) {
                ConfigValue v = new ConfigValue(key);
                v.addErrorMessage("unknown key '" + key + "' for the pgferry source connector; see docs/connect.md"
                        + " for its keys");
                extra.add(v);
            }
        }
        String tasksMax = connectorConfigs.get("tasks.max");
        if (tasksMax != null && !tasksMax.strip().equals("1")) {
            ConfigValue v = new ConfigValue("tasks.max");
            v.addErrorMessage(tasksMaxProblem());
            extra.add(v);
        }
        boolean clean = values.values().stream().allMatch(v -> v.errorMessages().isEmpty());
        if (clean) {
            checkSource(connectorConfigs, values);
        }
        List<ConfigValue> all = new ArrayList<>(values.values());
        all.addAll(extra);
        return new Config(all);
    }

    private static void checkSource(Map<String, String> configs, Map<String, ConfigValue> values) {
        SourceConfig.Settings s;
        try {
            s = SourceConfig.parse(configs);
        } catch (PgFerryException e) {
            String key = SourceConfig.keyOf(e.getMessage());
            values.get(key == null ? SourceConfig.SOURCE : key).addErrorMessage(e.getMessage());
            return;
        }
        List<Finding> findings;
        try {
            findings = Preflight.run(s.source(), s.publication(), s.tables());
        } catch (PgFerryException e) {
            values.get(SourceConfig.SOURCE).addErrorMessage(e.getMessage());
            return;
        }
        for (Finding f : findings) {
            if (f.severity() == Finding.Severity.FAIL) {
                String key = f.subject().startsWith("publication")
                        ? SourceConfig.PUBLICATION
                        : f.subject().startsWith("table") ? SourceConfig.TABLES : SourceConfig.SOURCE;
                values.get(key).addErrorMessage(f.subject() + " " + f.message() + "; " + f.fix());
            }
        }
    }

    private static boolean isFrameworkKey(String key) {
        return FRAMEWORK_KEYS.contains(key) || FRAMEWORK_PREFIXES.stream().anyMatch(key::startsWith);
    }
}
