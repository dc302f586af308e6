package io.pgferry.postgres.connect;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Password lookup in a libpq password file. See the PostgreSQL docs, "The Password File".
 *
 * <p>Each line is {@code hostname:port:database:username:password}; {@code *} matches anything in the first four
 * fields; {@code \:} and {@code \\} escape; lines starting with {@code #} are comments; the first matching line wins.
 * As in libpq, a file readable by group or others is ignored with a warning, and an unreadable file is ignored.
 */
final class PgPass {
    private static final Logger LOG = LoggerFactory.getLogger(PgPass.class);

    private PgPass() {}

    static Optional<String> lookup(Path file, String host, int port, String dbname, String user) {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            return Optional.empty();
        }
        if (groupOrWorldAccessible(file)) {
            LOG.warn(
                    "password file {} has group or world access and is ignored; permissions should be u=rw (0600)"
                            + " or less",
                    file);
            return Optional.empty();
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            LOG.debug("cannot read password file {}: {}", file, e.toString());
            return Optional.empty();
        }
        String portText = Integer.toString(port);
        for (String line : lines) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            List<String> fields = fields(line);
            if (fields.size() < 5) {
                continue;
            }
            if (matches(fields.get(0), host)
                    && matches(fields.get(1), portText)
                    && matches(fields.get(2), dbname)
                    && matches(fields.get(3), user)) {
                return Optional.of(fields.get(4));
            }
        }
        return Optional.empty();
    }

    private static boolean matches(String field, String value) {
        return field.equals("*") || field.equals(value);
    }

    /** Splits on unescaped colons; like libpq, an unescaped colon after the password ends it. */
    static List<String> fields(String line) {
        List<String> out = new ArrayList<>(5);
        StringBuilder current = new StringBuilder();
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\' && i + 1 < line.length()) {
                current.append(line.charAt(++i));
            } else if (c == ':' && out.size() < 4) {
                out.add(current.toString());
                current.setLength(0);
            } else if (c == ':') {
                break;
            } else {
                current.append(c);
            }
        }
        out.add(current.toString());
        return out;
    }

    private static boolean groupOrWorldAccessible(Path file) {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            return perms.stream().anyMatch(p -> !p.name().startsWith("OWNER_"));
        } catch (UnsupportedOperationException | IOException e) {
            // No POSIX permissions (Windows): libpq does not check there either.
            return false;
        }
    }
}
