package io.pgferry.postgres.connect;

import io.pgferry.postgres.catalog.Identifiers;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the two libpq connection string forms into an ordered keyword map, syntax only: which keywords are allowed
 * and what their values mean is {@link Dsn}'s business. See the PostgreSQL docs, libpq "Connection Strings".
 *
 * <p>Error messages describe positions and keywords, never values, so a password cannot leak through them.
 */
final class DsnParser {
    static final String URI_PREFIX = "postgresql://";
    static final String SHORT_URI_PREFIX = "postgres://";

    /** A syntax error; {@link Dsn} turns it into the user-facing "malformed DSN" error. */
    static final class SyntaxException extends Exception {
        private static final long serialVersionUID = 1L;

        SyntaxException(String why) {
            super(why);
        }
    }

    private DsnParser() {}

    /** Parses either form; a later occurrence of a keyword replaces an earlier one, as in libpq. */
    static Map<String, String> parse(String text) throws SyntaxException {
        if (text.startsWith(URI_PREFIX)) {
            return parseUri(text.substring(URI_PREFIX.length()));
        }
        if (text.startsWith(SHORT_URI_PREFIX)) {
            return parseUri(text.substring(SHORT_URI_PREFIX.length()));
        }
        int scheme = text.indexOf("://");
        if (scheme > 0 && text.substring(0, scheme).matches("[A-Za-z][A-Za-z0-9+.:-]*")) {
            throw new SyntaxException("unsupported URI scheme '" + text.substring(0, scheme)
                    + "' (expected postgresql:// or postgres://)");
        }
        return parseKeyValue(text);
    }

    // --- postgresql://[user[:password]@][host][:port][,...][/dbname][?param=value&...]

    private static Map<String, String> parseUri(String rest) throws SyntaxException {
        Map<String, String> out = new LinkedHashMap<>();
        int authorityEnd = indexOfAny(rest, "/?");
        String authority = rest.substring(0, authorityEnd);
        String afterAuthority = rest.substring(authorityEnd);

        // The last '@' ends the user part: host names never contain one, so this reads an unencoded '@' in a
        // password the way the user meant it.
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            String userInfo = authority.substring(0, at);
            authority = authority.substring(at + 1);
            int colon = userInfo.indexOf(':');
            String user = colon >= 0 ? userInfo.substring(0, colon) : userInfo;
            put(out, "user", decode(user, "user name"));
            if (colon >= 0) {
                put(out, "password", decode(userInfo.substring(colon + 1), "password"));
            }
        }
        parseHosts(authority, out);

        String query = "";
        int question = afterAuthority.indexOf('?');
        String path = question >= 0 ? afterAuthority.substring(0, question) : afterAuthority;
        if (question >= 0) {
            query = afterAuthority.substring(question + 1);
        }
        if (path.startsWith("/")) {
            put(out, "dbname", decode(path.substring(1), "database name"));
        }
        for (String param : query.isEmpty() ? new String[0] : query.split("&", -1)) {
            if (param.isEmpty()) {
                continue;
            }
            int eq = param.indexOf('=');
            if (eq <= 0) {
                throw new SyntaxException("URI query parameter "
                        + (eq == 0 ? "with an empty name" : "'" + safeName(param) + "' has no '=value'"));
            }
            String key = decode(param.substring(0, eq), "parameter name");
            String value = decode(param.substring(eq + 1), "value of parameter '" + safeName(key) + "'");
            // libpq reads the JDBC-style ssl=true as sslmode=require (libpq docs, "Connection URIs").
            if (key.equals("ssl") && value.equals("true")) {
                out.put("sslmode", "require");
            } else {
                out.put(key, value);
            }
        }
        return out;
    }

    /** {@code host[:port]} entries separated by commas; IPv6 addresses in brackets. */
    private static void parseHosts(String hostSpec, Map<String, String> out) throws SyntaxException {
        if (hostSpec.isEmpty()) {
            return;
        }
        List<String> hosts = new ArrayList<>();
        List<String> ports = new ArrayList<>();
        for (String entry : hostSpec.split(",", -1)) {
            String host;
            String port = "";
            if (entry.startsWith("[")) {
                int close = entry.indexOf(']');
                if (close < 0) {
                    throw new SyntaxException("missing ']' after IPv6 host address");
                }
                host = entry.substring(1, close);
                String tail = entry.substring(close + 1);
                if (!tail.isEmpty() && !tail.startsWith(":")) {
                    throw new SyntaxException("unexpected text after IPv6 host address");
                }
                port = tail.isEmpty() ? "" : tail.substring(1);
                if (host.isEmpty()) {
                    throw new SyntaxException("empty IPv6 host address");
                }
            } else {
                int colon = entry.indexOf(':');
                host = colon >= 0 ? entry.substring(0, colon) : entry;
                port = colon >= 0 ? entry.substring(colon + 1) : "";
                host = decode(host, "host name");
            }
            hosts.add(host);
            ports.add(decode(port, "port"));
        }
        put(out, "host", String.join(",", hosts));
        if (ports.stream().anyMatch(p -> !p.isEmpty())) {
            out.put("port", String.join(",", ports));
        }
    }

    private static void put(Map<String, String> out, String key, String value) {
        if (!value.isEmpty()) {
            out.put(key, value);
        }
    }

    /** Percent-decodes to UTF-8 strictly: a bad escape, %00 or invalid UTF-8 is an error naming {@code what}. */
    static String decode(String s, String what) throws SyntaxException {
        if (s.indexOf('%') < 0) {
            return s;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) != '%') {
                int runEnd = s.indexOf('%', i);
                runEnd = runEnd < 0 ? s.length() : runEnd;
                byte[] literal = s.substring(i, runEnd).getBytes(StandardCharsets.UTF_8);
                bytes.write(literal, 0, literal.length);
                i = runEnd - 1;
                continue;
            }
            if (i + 2 >= s.length() || hex(s.charAt(i + 1)) < 0 || hex(s.charAt(i + 2)) < 0) {
                throw new SyntaxException("invalid percent-encoding in the " + what);
            }
            int b = hex(s.charAt(i + 1)) * 16 + hex(s.charAt(i + 2));
            if (b == 0) {
                throw new SyntaxException("forbidden %00 in the " + what);
            }
            bytes.write(b);
            i += 2;
        }
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new SyntaxException("percent-encoded bytes in the " + what + " are not valid UTF-8");
        }
    }

    private static int hex(char c) {
        return Character.digit(c, 16);
    }

    private static int indexOfAny(String s, String chars) {
        for (int i = 0; i < s.length(); i++) {
            if (chars.indexOf(s.charAt(i)) >= 0) {
                return i;
            }
        }
        return s.length();
    }

    // --- key=value key='quoted value' ...

    private static Map<String, String> parseKeyValue(String text) throws SyntaxException {
        Map<String, String> out = new LinkedHashMap<>();
        int i = 0;
        int n = text.length();
        while (true) {
            while (i < n && Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            if (i >= n) {
                return out;
            }
            int keyStart = i;
            while (i < n && text.charAt(i) != '=' && !Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            String key = text.substring(keyStart, i);
            while (i < n && Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            if (i >= n || text.charAt(i) != '=') {
                throw new SyntaxException(
                        key.isEmpty() ? "empty keyword" : "missing '=' after '" + safeName(key) + "'");
            }
            if (key.isEmpty()) {
                throw new SyntaxException("'=' without a keyword before it at position " + (i + 1));
            }
            i++;
            while (i < n && Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            StringBuilder value = new StringBuilder();
            if (i < n && text.charAt(i) == '\'') {
                i++;
                while (true) {
                    if (i >= n) {
                        throw new SyntaxException("unterminated quoted value of '" + safeName(key) + "'");
                    }
                    char c = text.charAt(i++);
                    if (c == '\'') {
                        break;
                    }
                    if (c == '\\') {
                        if (i >= n) {
                            throw new SyntaxException("unterminated quoted value of '" + safeName(key) + "'");
                        }
                        c = text.charAt(i++);
                    }
                    value.append(c);
                }
            } else {
                while (i < n && !Character.isWhitespace(text.charAt(i))) {
                    char c = text.charAt(i++);
                    if (c == '\\' && i < n) {
                        c = text.charAt(i++);
                    }
                    value.append(c);
                }
            }
            out.put(key, value.toString());
        }
    }

    /**
     * A keyword as it may appear in a message: printable, at most 40 characters. A keyword is never a secret, but a
     * mangled string could put a password where a keyword was expected, so long or odd ones are cut.
     */
    static String safeName(String key) {
        return Identifiers.echo(key);
    }
}
