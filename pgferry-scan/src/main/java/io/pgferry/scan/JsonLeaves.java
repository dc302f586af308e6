package io.pgferry.scan;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Walks the string leaves of a JSON document, streaming (the document is never built as a tree), and names each
 * with its path: {@code $.contact.emails[1]}; a key that is not a plain identifier is written {@code $["a b"]}.
 */
final class JsonLeaves {
    private static final JsonFactory FACTORY = JsonFactory.builder().build();

    /** Receives each string leaf. */
    @FunctionalInterface
    interface Leaf {
        void string(String path, String value);
    }

    private JsonLeaves() {}

    static void walk(String json, Leaf out) {
        List<Frame> stack = new ArrayList<>();
        try (JsonParser p = FACTORY.createParser(json)) {
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                Frame top = stack.isEmpty() ? null : stack.get(stack.size() - 1);
                if (t == JsonToken.FIELD_NAME) {
                    top.name = p.currentName();
                    continue;
                }
                if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
                    stack.remove(stack.size() - 1);
                    continue;
                }
                if (top != null && top.array) {
                    top.index++;
                }
                if (t == JsonToken.START_OBJECT) {
                    stack.add(new Frame(false));
                } else if (t == JsonToken.START_ARRAY) {
                    stack.add(new Frame(true));
                } else if (t == JsonToken.VALUE_STRING) {
                    out.string(path(stack), p.getText());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("a json value PostgreSQL sent does not parse", e);
        }
    }

    private static String path(List<Frame> stack) {
        StringBuilder b = new StringBuilder("$");
        for (Frame f : stack) {
            if (f.array) {
                b.append('[').append(f.index).append(']');
            } else if (isIdentifier(f.name)) {
                b.append('.').append(f.name);
            } else {
                b.append("[\"")
                        .append(f.name.replace("\\", "\\\\").replace("\"", "\\\""))
                        .append("\"]");
            }
        }
        return b.toString();
    }

    private static boolean isIdentifier(String s) {
        if (s.isEmpty() || !(Character.isLetter(s.charAt(0)) || s.charAt(0) == '_')) {
            return false;
        }
        for (int i = 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(Character.isLetterOrDigit(c) || c == '_')) {
                return false;
            }
        }
        return true;
    }

    /** An open object (its current key) or array (its current index). */
    private static final class Frame {
        final boolean array;
        String name;
        int index = -1;

        Frame(boolean array) {
            this.array = array;
        }
    }
}
