package io.pgferry.core.value;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Makes decoded values comparable with equals: byte arrays become hex, lists and arrays are normalised deeply. */
final class Normal {
    private Normal() {}

    static Object of(Object v) {
        if (v instanceof byte[] b) {
            return "bytes:" + HexFormat.of().formatHex(b);
        }
        if (v instanceof Money m) {
            // Text differs between the text form ("$1.23") and the binary rendering ("1.23"); the amount may not.
            return "money:" + m.amount().toPlainString();
        }
        if (v instanceof PgArray a) {
            return List.of(a.elementOid(), a.dims(), a.lowerBounds(), of(a.elements()));
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            l.forEach(e -> out.add(of(e)));
            return out;
        }
        return v;
    }
}
