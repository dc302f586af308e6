package io.pgferry.connect;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigValue;

/**
 * A connector's {@code validate} result under construction: Connect's own checks of each key, plus an error for
 * every key neither Connect nor the connector knows (Connect ignores those in silence), plus what the connector finds
 * itself, each error filed under the key it is about.
 */
public final class Validation {
    private final Map<String, ConfigValue> values = new LinkedHashMap<>();
    private final List<ConfigValue> extra = new ArrayList<>();

    /**
     * @param framework the keys Connect reads itself ({@link FrameworkKeys})
     * @param connector the connector's name in messages: {@code pgferry source connector}
     */
    public Validation(Config connects, Map<String, String> configs, Predicate<String> framework, String connector) {
        for (ConfigValue v : connects.configValues()) {
            values.put(v.name(), v);
        }
        for (String key : configs.keySet()) {
            if (!values.containsKey(key) && !framework.test(key)) {
                error(key, "unknown key '" + key + "' for the " + connector + "; see docs/connect.md for its keys");
            }
        }
    }

    /** Whether no error was filed yet. */
    public boolean clean() {
        return values.values().stream().allMatch(v -> v.errorMessages().isEmpty()) && extra.isEmpty();
    }

    /** Files {@code message} under {@code key}. */
    public void error(String key, String message) {
        ConfigValue v = values.get(key);
        if (v == null) {
            v = extra.stream().filter(e -> e.name().equals(key)).findFirst().orElse(null);
        }
        if (v == null) {
            v = new ConfigValue(key);
            extra.add(v);
        }
        v.addErrorMessage(message);
    }

    public Config result() {
        List<ConfigValue> all = new ArrayList<>(values.values());
        all.addAll(extra);
        return new Config(all);
    }
}
