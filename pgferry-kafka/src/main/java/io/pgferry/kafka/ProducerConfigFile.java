package io.pgferry.kafka;

import io.pgferry.core.PgFerryException;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * A file of Kafka producer settings in Java properties form, the {@code client.properties} that Kafka's own tools
 * read with {@code --producer.config}: how TLS and SASL secrets reach the producer without standing in a URI, which a
 * command line shows to every user of the machine. Its settings are the producer's as they are (no {@code producer.}
 * prefix); those pgferry makes itself are refused as they are in the URI. Messages name the file and the setting,
 * never a value.
 */
final class ProducerConfigFile {
    private ProducerConfigFile() {}

    /** The settings of the file at {@code path}, by name. */
    static Map<String, String> read(String path) {
        Path file;
        try {
            file = Path.of(path);
        } catch (InvalidPathException e) {
            throw PgFerryException.fatal(
                    "producer.config of the Kafka target is not a file path", "give the path of a properties file");
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (NoSuchFileException e) {
            throw PgFerryException.fatal(
                    "the producer settings file " + file + " (producer.config of the Kafka target) does not exist",
                    "check the path");
        } catch (IOException | IllegalArgumentException e) {
            // Not the exception's message: a malformed escape is reported with the text around it, a secret perhaps.
            throw PgFerryException.fatal(
                    "cannot read the producer settings file " + file + " (producer.config of the Kafka target): "
                            + e.getClass().getSimpleName(),
                    "make it a readable Java properties file (key=value lines, UTF-8)",
                    null);
        }
        Map<String, String> out = new TreeMap<>();
        for (String key : p.stringPropertyNames()) {
            if (key.isBlank()) {
                throw PgFerryException.fatal(
                        "the producer settings file " + file + " has a setting without a name",
                        "write each setting as name=value");
            }
            if (KafkaTarget.RESERVED_PRODUCER_PROPERTIES.contains(key.strip())) {
                throw PgFerryException.fatal(
                        "the producer settings file " + file + " sets " + key.strip() + ", which pgferry makes itself",
                        "remove it from the file; choose the delivery with delivery=exactly-once|at-least-once");
            }
            out.put(key.strip(), p.getProperty(key).strip());
        }
        return out;
    }
}
