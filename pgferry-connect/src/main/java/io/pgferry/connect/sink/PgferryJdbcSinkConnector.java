package io.pgferry.connect.sink;

import io.pgferry.connect.FrameworkKeys;
import io.pgferry.connect.PluginVersion;
import io.pgferry.connect.Validation;
import io.pgferry.core.PgFerryException;
import java.sql.Connection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.sink.SinkConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pgferry JDBC sink connector: applies change events in Debezium's envelope, from pgferry's source connector or
 * Debezium's PostgreSQL connector, to PostgreSQL, MySQL, MariaDB, SQLite or SQL Server through the dialects of
 * {@code pgferry sync}, exactly once: the consumed offsets are written in the destination's own transaction with the
 * rows. Tasks split the topics' partitions between them. See docs/connect.md.
 */
public final class PgferryJdbcSinkConnector extends SinkConnector {
    private static final Logger log = LoggerFactory.getLogger(PgferryJdbcSinkConnector.class);

    private Map<String, String> props;
    private boolean oneWriter;

    @Override
    public String version() {
        return PluginVersion.get();
    }

    @Override
    public void start(Map<String, String> props) {
        try {
            oneWriter = SinkConfig.parse(props).target().oneWriter();
        } catch (PgFerryException e) {
            throw new ConnectException(e.getMessage(), e);
        }
        this.props = Map.copyOf(props);
    }

    @Override
    public Class<? extends Task> taskClass() {
        return PgferryJdbcSinkTask.class;
    }

    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        if (oneWriter && maxTasks > 1) {
            log.info("SQLite takes one writer at a time: running one task, not {}", maxTasks);
            return List.of(props);
        }
        return Collections.nCopies(maxTasks, props);
    }

    @Override
    public void stop() {}

    @Override
    public ConfigDef config() {
        return SinkConfig.DEF;
    }

    /**
     * Connect's checks of each key, then: keys neither Connect nor this connector knows, values {@code pgferry sync}
     * would refuse (a malformed target, a password inside it), and, when those are fine, the target itself:
     * reachable with the given role.
     */
    @Override
    public Config validate(Map<String, String> connectorConfigs) {
        Validation v = new Validation(
                super.validate(connectorConfigs),
                connectorConfigs,
                FrameworkKeys::isSinkKey,
                "pgferry JDBC sink connector");
        if (v.clean()) {
            checkTarget(connectorConfigs, v);
        }
        return v.result();
    }

    private static void checkTarget(Map<String, String> configs, Validation values) {
        SinkConfig.Settings s;
        try {
            s = SinkConfig.parse(configs);
        } catch (PgFerryException e) {
            String key = SinkConfig.keyOf(e.getMessage());
            values.error(key == null ? SinkConfig.TARGET : key, e.getMessage());
            return;
        }
        try (Connection c = s.target().connect()) {
            s.target().dialect(c);
        } catch (PgFerryException e) {
            values.error(SinkConfig.TARGET, e.getMessage());
        } catch (java.sql.SQLException e) {
            values.error(SinkConfig.TARGET, "could not close the connection to " + s.target());
        }
    }
}
