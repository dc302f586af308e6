package io.pgferry.connect.sink;

import io.pgferry.connect.PostgresDsn;
import io.pgferry.core.PgFerryException;
import io.pgferry.jdbc.SyncCatalog;
import io.pgferry.jdbc.Unrepresentable;
import io.pgferry.jdbc.foreign.JdbcTarget;
import io.pgferry.jdbc.foreign.JdbcTargetUri;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.types.Password;

/**
 * The JDBC sink connector's configuration: the target as {@code pgferry sync --target} takes it, with the password a
 * Connect {@code PASSWORD} field of its own, and the sync's choices for table naming, DDL and unrepresentable values.
 * A bad value is refused with a message that starts with its key ({@link #keyOf}).
 */
final class SinkConfig {
    static final String TARGET = "target";
    static final String TARGET_PASSWORD = "target.password";
    static final String TARGET_SSLPASSWORD = "target.sslpassword";
    static final String SCHEMA_MAP = "schema.map";
    static final String DDL = "ddl";
    static final String INSERT_MODE = "insert.mode";
    static final String CATALOG_SCHEMA = "catalog.schema";
    static final String UNREPRESENTABLE = "on.unrepresentable";

    static final ConfigDef DEF = new ConfigDef()
            .define(
                    TARGET,
                    Type.STRING,
                    ConfigDef.NO_DEFAULT_VALUE,
                    Importance.HIGH,
                    "The destination database, without the password (give it as target.password): a postgresql://"
                            + " URI or libpq key=value string, mysql://user@host:3306/db, mariadb://...,"
                            + " sqlite:/path/file.db or sqlserver://user@host:1433/db.")
            .define(
                    TARGET_PASSWORD,
                    Type.PASSWORD,
                    null,
                    Importance.HIGH,
                    "The target role's password; Connect masks it. Unset for PostgreSQL: libpq's rules (PGPASSWORD,"
                            + " ~/.pgpass of the worker).")
            .define(
                    TARGET_SSLPASSWORD,
                    Type.PASSWORD,
                    null,
                    Importance.LOW,
                    "A PostgreSQL target: the passphrase of the client key (sslkey) when it is encrypted; Connect masks"
                            + " it.")
            .define(
                    SCHEMA_MAP,
                    Type.LIST,
                    "",
                    Importance.MEDIUM,
                    "Source schema to destination schema (MySQL: database), as SRC:DST entries; unmapped schemas keep"
                            + " their name (MySQL and MariaDB: the URI's database; SQLite: a schema_ prefix).")
            .define(
                    DDL,
                    Type.STRING,
                    "apply",
                    ConfigDef.ValidString.in("apply", "stop"),
                    Importance.MEDIUM,
                    "apply: create a missing table from the first record's schema and add the columns a record"
                            + " brings; stop: fail the task instead, naming the table and column.")
            .define(
                    INSERT_MODE,
                    Type.STRING,
                    "upsert",
                    ConfigDef.ValidString.in("upsert", "insert"),
                    Importance.MEDIUM,
                    "upsert: an insert or snapshot row of a table with a key replaces a row with its key (a source"
                            + " that delivered a change twice, or took its snapshot again, leaves no duplicate and no"
                            + " error); insert: plain inserts, a duplicate key fails the task.")
            .define(
                    CATALOG_SCHEMA,
                    Type.STRING,
                    SyncCatalog.DEFAULT_SCHEMA,
                    Importance.LOW,
                    "Where the consumed offsets are kept at the destination (table connect_offsets; MySQL, MariaDB"
                            + " and SQLite: <catalog.schema>_connect_offsets).")
            .define(
                    UNREPRESENTABLE,
                    Type.STRING,
                    "error",
                    ConfigDef.ValidString.in("error", "null", "clamp"),
                    Importance.LOW,
                    "What a destination other than PostgreSQL does with a value it cannot hold (an infinite date,"
                            + " NaN in a DECIMAL): error stops naming table, column and key; null writes NULL; clamp"
                            + " the nearest value it can hold.");

    /**
     * What a task runs with.
     *
     * @param connector the connector's name, which keys its offsets at the destination
     */
    record Settings(
            Target target,
            String connector,
            Map<String, String> schemaMap,
            boolean applyDdl,
            boolean upsert,
            String catalogSchema) {}

    private SinkConfig() {}

    static Settings parse(Map<String, String> props) {
        AbstractConfig c;
        try {
            c = new AbstractConfig(DEF, props, false);
        } catch (org.apache.kafka.common.config.ConfigException e) {
            throw PgFerryException.fatal(e.getMessage(), "correct the connector configuration");
        }
        Unrepresentable policy = Unrepresentable.of(c.getString(UNREPRESENTABLE));
        Target target =
                target(c.getString(TARGET), c.getPassword(TARGET_PASSWORD), c.getPassword(TARGET_SSLPASSWORD), policy);
        Map<String, String> schemaMap = new LinkedHashMap<>();
        for (String entry : c.getList(SCHEMA_MAP)) {
            int colon = entry.indexOf(':');
            if (colon <= 0 || colon == entry.length() - 1) {
                throw PgFerryException.fatal(
                        SCHEMA_MAP + ": entry '" + entry + "' is not SRC:DST",
                        "write each entry as source_schema:target_schema");
            }
            schemaMap.put(
                    entry.substring(0, colon).strip(),
                    entry.substring(colon + 1).strip());
        }
        String name = props.getOrDefault("name", "");
        if (name.isBlank()) {
            throw PgFerryException.fatal(
                    "name: the connector has no name, which keys its offsets at the target",
                    "create the connector through Connect, which sets its name");
        }
        String catalog = c.getString(CATALOG_SCHEMA);
        if (catalog.isBlank()) {
            throw PgFerryException.fatal(CATALOG_SCHEMA + ": is empty", "name a schema, or leave it unset for pgferry");
        }
        return new Settings(
                target,
                name,
                Map.copyOf(schemaMap),
                c.getString(DDL).equals("apply"),
                c.getString(INSERT_MODE).equals("upsert"),
                catalog);
    }

    private static Target target(String text, Password password, Password sslpassword, Unrepresentable policy) {
        String pw = password == null ? null : password.value();
        if (JdbcTargetUri.handles(text)) {
            if (sslpassword != null) {
                throw PgFerryException.fatal(
                        TARGET_SSLPASSWORD + ": only a PostgreSQL target takes it",
                        "remove it: a MySQL, MariaDB, SQLite or SQL Server target takes its TLS settings in its URI");
            }
            if (holdsPassword(text)) {
                throw passwordInTarget();
            }
            try {
                JdbcTarget t =
                        JdbcTargetUri.parse(text, pw == null ? Map.of() : Map.of(JdbcTargetUri.PASSWORD_VARIABLE, pw));
                return Target.foreign(t, policy);
            } catch (PgFerryException e) {
                throw keyed(TARGET, e);
            }
        }
        String lower = text.strip().toLowerCase(Locale.ROOT);
        if (lower.startsWith("kafka://")) {
            throw PgFerryException.fatal(
                    TARGET + ": this connector writes to a database, not to Kafka",
                    "name a postgresql://, mysql://, mariadb://, sqlite: or sqlserver:// target");
        }
        return Target.postgres(PostgresDsn.parse(TARGET, text, pw, sslpassword == null ? null : sslpassword.value()));
    }

    /** Whether a mysql://, mariadb:// or sqlserver:// URI carries user:password before its host. */
    private static boolean holdsPassword(String uri) {
        String lower = uri.toLowerCase(Locale.ROOT);
        if (lower.startsWith("jdbc:sqlserver://")) {
            return lower.contains(";password=");
        }
        if (lower.startsWith("sqlite:")) {
            return false;
        }
        try {
            String info = URI.create(uri).getRawUserInfo();
            return info != null && info.contains(":");
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static PgFerryException passwordInTarget() {
        return PgFerryException.fatal(
                TARGET + ": the connection string holds a password",
                "remove it from target and give it as target.password, which Connect masks");
    }

    private static PgFerryException keyed(String key, PgFerryException e) {
        return PostgresDsn.keyed(key, e);
    }

    /** The key a message of {@link #parse} is about, or null. */
    static String keyOf(String message) {
        int colon = message.indexOf(": ");
        if (colon > 0) {
            String k = message.substring(0, colon);
            if (DEF.configKeys().containsKey(k) || List.of("name").contains(k)) {
                return k;
            }
        }
        return null;
    }
}
