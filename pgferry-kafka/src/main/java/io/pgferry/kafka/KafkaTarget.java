package io.pgferry.kafka;

import io.pgferry.core.PgFerryException;
import io.pgferry.kafka.event.Topics;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Where and how a {@link KafkaSink} writes: the cluster, the topic prefix, the sync whose position it stores, the
 * delivery mode and the event options. Made with {@link #builder()} or, from a target URI {@code
 * kafka://host:9092[,host:9092][?key=value&...]}, with {@link #parseUri(String)}; see docs/kafka.md for the options.
 *
 * <p>{@link #producerProperties()} may hold secrets (TLS key store passwords, SASL JAAS configurations): {@link
 * #toString()} shows their names only, and no message of this module quotes their values.
 *
 * @param bootstrapServers {@code host:port[,host:port...]}
 * @param topicPrefix the first part of every topic name, and the {@code source.name} of every event (Debezium's
 *     logical server name); defaults to the sync name
 * @param syncName the sync whose position is stored; keys the offsets topic and names the transactional id
 * @param sourceDatabase the source database's name, for {@code source.db}
 * @param producerProperties passed to the Kafka producer as they are (TLS, SASL, tuning); the TLS and SASL ones
 *     ({@code security.protocol}, {@code ssl.*}, {@code sasl.*}) and the other settings the admin client and the
 *     consumer know are passed to them too
 * @param transactionPerSourceTransaction with exactly-once delivery, each source transaction is a Kafka transaction of
 *     its own instead of consecutive ones sharing one (the engine then commits after each); a consumer that reads a
 *     Kafka transaction as one source transaction needs it, at the cost of a commit round per source transaction
 * @param schemaMap source schema to the topic segment its tables' topics get instead of the schema's name ({@code
 *     <prefix>.<segment>.<table>}); {@code source.schema} in the events keeps the real name
 */
public record KafkaTarget(
        String bootstrapServers,
        String topicPrefix,
        String syncName,
        String sourceDatabase,
        Delivery delivery,
        boolean tombstones,
        boolean transactionMetadata,
        boolean schemas,
        boolean transactionPerSourceTransaction,
        Map<String, String> producerProperties,
        Map<String, String> schemaMap) {
    /** Producer settings pgferry makes itself, which the delivery guarantees depend on. */
    static final Set<String> RESERVED_PRODUCER_PROPERTIES = Set.of(
            "bootstrap.servers",
            "key.serializer",
            "value.serializer",
            "transactional.id",
            "enable.idempotence",
            "acks");

    public KafkaTarget {
        require(bootstrapServers, "bootstrap servers", "give the brokers as kafka://host:9092[,host:9092]");
        require(syncName, "sync name", "give the sync a name");
        require(sourceDatabase, "source database name", "give the name of the source database");
        Objects.requireNonNull(delivery, "delivery");
        if (transactionPerSourceTransaction && delivery != Delivery.EXACTLY_ONCE) {
            throw PgFerryException.fatal(
                    "one Kafka transaction per source transaction needs exactly-once delivery, which uses transactions",
                    "use delivery=exactly-once, or leave out transaction.per.source.transaction");
        }
        topicPrefix = topicPrefix == null || topicPrefix.isEmpty() ? syncName : topicPrefix;
        new Topics(topicPrefix); // validates it
        producerProperties = Map.copyOf(producerProperties);
        schemaMap = Map.copyOf(schemaMap);
        for (String key : producerProperties.keySet()) {
            if (RESERVED_PRODUCER_PROPERTIES.contains(key)) {
                throw PgFerryException.fatal(
                        "the Kafka producer setting " + key + " is made by pgferry and cannot be given",
                        "remove producer." + key + " from the target; choose the delivery with delivery=exactly-once"
                                + "|at-least-once");
            }
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The settings of a target URI, {@code kafka://host:9092[,host:9092][?key=value&...]}, in a builder that still
     * needs the sync name and the source database. Refuses an unknown option, naming it and the known ones; messages
     * never quote the value of a {@code producer.*} option.
     *
     * @throws PgFerryException (fatal) for a malformed URI or an unknown or bad option
     */
    public static Builder parseUri(String uri) {
        return KafkaUri.parse(uri);
    }

    /**
     * This target with {@code more} added to its schema map, so that a sync's own schema map reaches its topics.
     *
     * @throws PgFerryException (fatal) when both map one schema, to different segments
     */
    public KafkaTarget withSchemaMap(Map<String, String> more) {
        Map<String, String> merged = new LinkedHashMap<>(schemaMap);
        for (Map.Entry<String, String> e : more.entrySet()) {
            String had = merged.putIfAbsent(e.getKey(), e.getValue());
            if (had != null && !had.equals(e.getValue())) {
                throw PgFerryException.fatal(
                        "schema " + e.getKey() + " is mapped to " + e.getValue() + " by the sync but to " + had
                                + " by the Kafka target",
                        "map each schema once, on the sync or on the Kafka target");
            }
        }
        return new KafkaTarget(
                bootstrapServers,
                topicPrefix,
                syncName,
                sourceDatabase,
                delivery,
                tombstones,
                transactionMetadata,
                schemas,
                transactionPerSourceTransaction,
                producerProperties,
                merged);
    }

    /** The transactional id of the sync's producer: {@code pgferry-<sync name>}. */
    public String transactionalId() {
        return "pgferry-" + syncName;
    }

    /** The transactional id of copy worker {@code worker}, distinct from the sync's and from other workers'. */
    public String copyTransactionalId(int worker) {
        return transactionalId() + "-copy-" + worker;
    }

    /** The producer settings' names, never their values, which may be secrets. */
    @Override
    public String toString() {
        return "KafkaTarget[bootstrapServers=" + bootstrapServers + ", topicPrefix=" + topicPrefix + ", syncName="
                + syncName + ", sourceDatabase=" + sourceDatabase + ", delivery=" + delivery.uriValue()
                + ", tombstones=" + tombstones + ", transactionMetadata=" + transactionMetadata + ", schemas="
                + schemas + ", transactionPerSourceTransaction=" + transactionPerSourceTransaction
                + ", producerProperties=" + new TreeSet<>(producerProperties.keySet()) + "]";
    }

    private static void require(String value, String what, String fix) {
        if (value == null || value.isBlank()) {
            throw PgFerryException.fatal("the Kafka target has no " + what, fix);
        }
    }

    /**
     * Defaults: exactly-once, tombstones on, transaction metadata off, schemas off, consecutive source transactions
     * sharing a Kafka transaction, prefix = sync name.
     */
    public static final class Builder {
        private String bootstrapServers;
        private String topicPrefix;
        private String syncName;
        private String sourceDatabase;
        private Delivery delivery = Delivery.EXACTLY_ONCE;
        private boolean tombstones = true;
        private boolean transactionMetadata;
        private boolean schemas;
        private boolean transactionPerSourceTransaction;
        private final Map<String, String> producerProperties = new LinkedHashMap<>();
        private final Map<String, String> schemaMap = new LinkedHashMap<>();

        private Builder() {}

        /** Tables of source schema {@code schema} go to topics {@code <prefix>.<segment>.<table>}. */
        public Builder mapSchema(String schema, String segment) {
            schemaMap.put(schema, segment);
            return this;
        }

        public Builder bootstrapServers(String servers) {
            this.bootstrapServers = servers;
            return this;
        }

        /** Whether a topic prefix was given (otherwise it is the sync name). */
        public boolean hasTopicPrefix() {
            return topicPrefix != null;
        }

        public Builder topicPrefix(String prefix) {
            this.topicPrefix = prefix;
            return this;
        }

        public Builder syncName(String name) {
            this.syncName = name;
            return this;
        }

        public Builder sourceDatabase(String name) {
            this.sourceDatabase = name;
            return this;
        }

        public Builder delivery(Delivery delivery) {
            this.delivery = delivery;
            return this;
        }

        public Builder tombstones(boolean on) {
            this.tombstones = on;
            return this;
        }

        public Builder transactionMetadata(boolean on) {
            this.transactionMetadata = on;
            return this;
        }

        public Builder schemas(boolean on) {
            this.schemas = on;
            return this;
        }

        /** Each source transaction a Kafka transaction of its own (exactly-once only). */
        public Builder transactionPerSourceTransaction(boolean on) {
            this.transactionPerSourceTransaction = on;
            return this;
        }

        /** A producer setting, e.g. {@code ssl.truststore.location}; may be a secret. */
        public Builder producerProperty(String key, String value) {
            producerProperties.put(key, value);
            return this;
        }

        /** @throws PgFerryException (fatal) for a missing or bad setting */
        public KafkaTarget build() {
            return new KafkaTarget(
                    bootstrapServers,
                    topicPrefix,
                    syncName,
                    sourceDatabase,
                    delivery,
                    tombstones,
                    transactionMetadata,
                    schemas,
                    transactionPerSourceTransaction,
                    producerProperties,
                    schemaMap);
        }
    }
}
