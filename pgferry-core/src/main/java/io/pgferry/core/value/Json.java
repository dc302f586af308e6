package io.pgferry.core.value;

import java.util.Objects;

/**
 * A json or jsonb value, as the text the server printed (json keeps its input text exactly; jsonb is normalised by
 * the server). Not parsed: pgferry hands the text on unchanged.
 */
public record Json(String text) {
    public Json {
        Objects.requireNonNull(text, "text");
    }

    @Override
    public String toString() {
        return text;
    }
}
