package io.pgferry.kafka;

/** How a {@link KafkaSink} delivers: see docs/kafka.md, "Delivery modes". */
public enum Delivery {
    /**
     * Each source transaction is one Kafka transaction, committed together with the sync's position in the offsets
     * topic: a consumer reading with {@code isolation.level=read_committed} sees each source transaction exactly once,
     * whole or not at all, also across crashes.
     */
    EXACTLY_ONCE("exactly-once"),
    /**
     * An idempotent producer without transactions; the position is written after the data is acknowledged. After a
     * crash the changes since the last stored position are sent again: duplicates, never losses.
     */
    AT_LEAST_ONCE("at-least-once");

    private final String uriValue;

    Delivery(String uriValue) {
        this.uriValue = uriValue;
    }

    /** The value of the target URI's {@code delivery} option. */
    public String uriValue() {
        return uriValue;
    }

    /** The mode named {@code value} in a target URI, or null. */
    static Delivery fromUri(String value) {
        for (Delivery d : values()) {
            if (d.uriValue.equals(value)) {
                return d;
            }
        }
        return null;
    }
}
