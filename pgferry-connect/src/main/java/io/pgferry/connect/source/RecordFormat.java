package io.pgferry.connect.source;

import java.util.Locale;

/** How the connector hands records to Connect: {@code struct}, {@code json} or {@code json-with-schemas}. */
enum RecordFormat {
    /** {@code Struct}s with Connect schemas: any converter, any transformation. */
    STRUCT,
    /** The JSON bytes JsonConverter would write with {@code schemas.enable=false}, for ByteArrayConverter. */
    JSON,
    /** The same with {@code schemas.enable=true}. */
    JSON_WITH_SCHEMAS;

    String key() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static RecordFormat of(String key) {
        for (RecordFormat f : values()) {
            if (f.key().equals(key)) {
                return f;
            }
        }
        return null;
    }
}
