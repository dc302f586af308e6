package io.pgferry.scan;

import io.pgferry.scan.rules.Rule;

/**
 * One match of one rule in one column of a row, before it becomes a {@link Finding}. Holds the matched text: it
 * never leaves the process, and only {@link Masking} and the keyed fingerprint ever read it.
 *
 * @param column column name
 * @param path JSON path ({@code $.a.b[0]}) of a json leaf, array subscript ({@code [2]}) of an array element, or
 *     null for the value itself
 */
record Hit(int columnIndex, String column, String path, Rule rule, String matched) {
    @Override
    public String toString() {
        return "Hit[" + column + (path == null ? "" : " " + path) + ", rule " + rule.id() + "]";
    }
}
