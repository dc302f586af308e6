package io.pgferry.postgres.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgferry.core.PgFerryException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DsnTest {
    @TempDir
    Path home;

    private final Map<String, String> vars = new HashMap<>();

    private DsnEnvironment env() {
        return new DsnEnvironment(vars, "osuser", home);
    }

    private Dsn parse(String text) {
        return Dsn.parse(text, env());
    }

    private static String password(Dsn dsn) {
        return dsn.jdbcProperties().getProperty("password");
    }

    @Test
    void fullUri() {
        Dsn dsn = parse("postgresql://alice:s%40cret@db.example.com:6543/sales?sslmode=require&application_name=etl");
        assertThat(dsn.host()).isEqualTo("db.example.com");
        assertThat(dsn.port()).isEqualTo(6543);
        assertThat(dsn.user()).isEqualTo("alice");
        assertThat(dsn.dbname()).isEqualTo("sales");
        assertThat(password(dsn)).isEqualTo("s@cret");
        assertThat(dsn.sslmode()).isEqualTo("require");
        assertThat(dsn.applicationName()).isEqualTo("etl");
        assertThat(dsn.jdbcUrl()).isEqualTo("jdbc:postgresql://db.example.com:6543/sales");
    }

    @Test
    void shortSchemeAndNoPort() {
        Dsn dsn = parse("postgres://bob@localhost/app");
        assertThat(dsn.endpoints()).isEqualTo("localhost:5432");
        assertThat(dsn.user()).isEqualTo("bob");
        assertThat(dsn.hasPassword()).isFalse();
    }

    @Test
    void ipv6Hosts() {
        Dsn dsn = parse("postgresql://u@[::1]:5433/db");
        assertThat(dsn.host()).isEqualTo("::1");
        assertThat(dsn.port()).isEqualTo(5433);
        assertThat(dsn.jdbcUrl()).isEqualTo("jdbc:postgresql://[::1]:5433/db");
        assertThat(parse("postgresql://[2001:db8::7]/db").endpoints()).isEqualTo("[2001:db8::7]:5432");
    }

    @Test
    void severalHostsWithTheirPorts() {
        Dsn dsn = parse("postgresql://u@h1:5432,h2:5433,[::1]/db?target_session_attrs=read-write");
        assertThat(dsn.endpoints()).isEqualTo("h1:5432,h2:5433,[::1]:5432");
        assertThat(dsn.jdbcUrl()).isEqualTo("jdbc:postgresql://h1:5432,h2:5433,[::1]:5432/db");
        assertThat(dsn.jdbcProperties().getProperty("targetServerType")).isEqualTo("primary");
        Dsn kv = parse("host=h1,h2 port=6000 dbname=db");
        assertThat(kv.endpoints()).isEqualTo("h1:6000,h2:6000");
    }

    @Test
    void percentDecodingIsUtf8() {
        Dsn dsn = parse("postgresql://j%C3%BCrgen:p%2Fw%3Ad@h/donn%C3%A9es%20%E2%9C%93");
        assertThat(dsn.user()).isEqualTo("jürgen");
        assertThat(password(dsn)).isEqualTo("p/w:d");
        assertThat(dsn.dbname()).isEqualTo("données ✓");
        // pgjdbc decodes the database name with URLDecoder; it must come back the same.
        String encoded = dsn.jdbcUrl().substring(dsn.jdbcUrl().lastIndexOf('/') + 1);
        assertThat(java.net.URLDecoder.decode(encoded, StandardCharsets.UTF_8)).isEqualTo("données ✓");
    }

    @Test
    void unencodedAtSignInPasswordIsTheUsersMeaning() {
        assertThat(password(parse("postgresql://u:p@ss@host/db"))).isEqualTo("p@ss");
    }

    @Test
    void plusIsNotASpaceInUris() {
        assertThat(parse("postgresql://u@h/a+b").dbname()).isEqualTo("a+b");
    }

    @Test
    void jdbcStyleSslTrueMeansRequire() {
        assertThat(parse("postgresql://h/db?ssl=true").sslmode()).isEqualTo("require");
    }

    @Test
    void keyValueWithQuotingAndSpaces() {
        Dsn dsn = parse("host = db.local  port=5433 dbname= 'my db' user=u password='a b\\'c\\\\d'");
        assertThat(dsn.host()).isEqualTo("db.local");
        assertThat(dsn.port()).isEqualTo(5433);
        assertThat(dsn.dbname()).isEqualTo("my db");
        assertThat(password(dsn)).isEqualTo("a b'c\\d");
    }

    @Test
    void unquotedBackslashEscapesAndUnicode() {
        Dsn dsn = parse("user=zoë password=a\\ b dbname=日本");
        assertThat(dsn.user()).isEqualTo("zoë");
        assertThat(password(dsn)).isEqualTo("a b");
        assertThat(dsn.dbname()).isEqualTo("日本");
    }

    @Test
    void laterKeywordWins() {
        assertThat(parse("dbname=a dbname=b").dbname()).isEqualTo("b");
    }

    @Test
    void libpqDefaults() {
        Dsn dsn = parse("sslmode=prefer");
        assertThat(dsn.host()).isEqualTo("localhost");
        assertThat(dsn.port()).isEqualTo(5432);
        assertThat(dsn.user()).isEqualTo("osuser");
        assertThat(dsn.dbname()).isEqualTo("osuser");
        assertThat(dsn.hasPassword()).isFalse();
        assertThat(dsn.applicationName()).isEqualTo("pgferry");
        assertThat(parse("user=ann").dbname()).isEqualTo("ann");
        assertThat(parse("host='' dbname=x").host()).isEqualTo("localhost");
    }

    @Test
    void environmentSuppliesMissingKeywords() {
        vars.put("PGHOST", "envhost");
        vars.put("PGPORT", "7000");
        vars.put("PGUSER", "envuser");
        vars.put("PGDATABASE", "envdb");
        vars.put("PGPASSWORD", "envpass");
        vars.put("PGSSLMODE", "disable");
        vars.put("PGAPPNAME", "envapp");
        Dsn dsn = parse("connect_timeout=3");
        assertThat(dsn.endpoints()).isEqualTo("envhost:7000");
        assertThat(dsn.user()).isEqualTo("envuser");
        assertThat(dsn.dbname()).isEqualTo("envdb");
        assertThat(password(dsn)).isEqualTo("envpass");
        assertThat(dsn.passwordSource()).isEqualTo(Dsn.PasswordSource.PGPASSWORD);
        assertThat(dsn.sslmode()).isEqualTo("disable");
        assertThat(dsn.applicationName()).isEqualTo("envapp");

        Dsn explicit = parse("postgresql://u:p@h:1/d?sslmode=require");
        assertThat(explicit.endpoints()).isEqualTo("h:1");
        assertThat(password(explicit)).isEqualTo("p");
        assertThat(explicit.passwordSource()).isEqualTo(Dsn.PasswordSource.DSN);
        assertThat(explicit.sslmode()).isEqualTo("require");
    }

    @Test
    void passwordFileIsConsultedLast() throws IOException {
        Path pgpass = home.resolve(".pgpass");
        Files.writeString(
                pgpass,
                "# comment\n"
                        + "other:5432:*:*:wrong\n"
                        + "db\\:x:5432:app:alice:not-this\n"
                        + "db.local:5433:app:alice:pa\\:ss\\\\word\n"
                        + "*:*:*:bob:bobs\n",
                StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(pgpass, PosixFilePermissions.fromString("rw-------"));

        Dsn alice = parse("host=db.local port=5433 dbname=app user=alice");
        assertThat(password(alice)).isEqualTo("pa:ss\\word");
        assertThat(alice.passwordSource()).isEqualTo(Dsn.PasswordSource.PASSFILE);
        assertThat(password(parse("host=anything user=bob"))).isEqualTo("bobs");
        assertThat(parse("host=db.local port=5432 dbname=app user=alice").hasPassword())
                .isFalse();

        vars.put("PGPASSWORD", "from-env");
        assertThat(password(parse("host=db.local port=5433 dbname=app user=alice")))
                .isEqualTo("from-env");
        assertThat(password(parse("host=db.local port=5433 dbname=app user=alice password=given")))
                .isEqualTo("given");
    }

    @Test
    void passfileKeywordAndGroupReadableFileIgnored() throws IOException {
        Path file = home.resolve("custom-pass");
        Files.writeString(file, "*:*:*:*:secret\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
        assertThat(parse("user=u passfile=" + file).hasPassword()).isFalse();
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        assertThat(password(parse("user=u passfile=" + file))).isEqualTo("secret");
        vars.put("PGPASSFILE", file.toString());
        assertThat(password(parse("user=u"))).isEqualTo("secret");
    }

    /**
     * Regression: the password file was read once, when the DSN was parsed, so a password rotated in it failed every
     * reconnect (28P01) until a restart; libpq reads it at each connection. The real-server case is {@code
     * ChangeStreamPasswordRotationTest}.
     */
    @Test
    void thePasswordFileIsReadAgainForEachConnection() throws IOException {
        Path file = home.resolve("rotated-pass");
        Files.writeString(file, "*:*:*:u:one\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        Dsn dsn = parse("user=u passfile=" + file);
        assertThat(password(dsn)).isEqualTo("one");
        Files.writeString(file, "*:*:*:u:two\n", StandardCharsets.UTF_8);
        assertThat(password(dsn)).isEqualTo("two");
        assertThat(dsn.libpqConninfo()).contains("password='two'");
        assertThat(dsn.toString()).doesNotContain("two");
        Files.delete(file);
        assertThat(password(dsn))
                .as("the last password found, once the file is gone")
                .isEqualTo("one");
    }

    @Test
    void withDbnameLooksThePasswordUpAgain() throws IOException {
        Path pgpass = home.resolve(".pgpass");
        Files.writeString(pgpass, "*:*:one:u:p1\n*:*:two:u:p2\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(pgpass, PosixFilePermissions.fromString("rw-------"));
        Dsn one = parse("user=u dbname=one sslmode=disable");
        Dsn two = one.withDbname("two");
        assertThat(password(two)).isEqualTo("p2");
        assertThat(two.dbname()).isEqualTo("two");
        assertThat(two.sslmode()).isEqualTo("disable");
    }

    @Test
    void sslmodeMappingFollowsLibpq() throws IOException {
        Properties prefer = parse("host=h").jdbcProperties();
        assertThat(prefer.getProperty("sslmode")).isEqualTo("prefer");
        assertThat(prefer.getProperty("ssl")).isNull();

        Properties disable = parse("host=h sslmode=disable").jdbcProperties();
        assertThat(disable.getProperty("sslmode")).isEqualTo("disable");
        assertThat(disable.getProperty("ssl")).isEqualTo("false");

        Properties require = parse("host=h sslmode=require").jdbcProperties();
        assertThat(require.getProperty("sslmode")).isEqualTo("require");
        assertThat(require.getProperty("ssl")).isEqualTo("true");

        // libpq verifies the chain under require when a root certificate is given...
        Properties requireWithRoot =
                parse("host=h sslmode=require sslrootcert=/ca.pem").jdbcProperties();
        assertThat(requireWithRoot.getProperty("sslmode")).isEqualTo("verify-ca");
        assertThat(requireWithRoot.getProperty("sslrootcert")).isEqualTo("/ca.pem");

        // ...or when ~/.postgresql/root.crt exists.
        Files.createDirectories(home.resolve(".postgresql"));
        Files.writeString(home.resolve(".postgresql/root.crt"), "x", StandardCharsets.UTF_8);
        assertThat(parse("host=h sslmode=require").jdbcProperties().getProperty("sslmode"))
                .isEqualTo("verify-ca");

        Properties full = parse("host=h sslmode=verify-full sslcert=/c.crt sslkey=/k.pk8 sslpassword=kp")
                .jdbcProperties();
        assertThat(full.getProperty("sslmode")).isEqualTo("verify-full");
        assertThat(full.getProperty("sslcert")).isEqualTo("/c.crt");
        assertThat(full.getProperty("sslkey")).isEqualTo("/k.pk8");
        assertThat(full.getProperty("sslpassword")).isEqualTo("kp");
    }

    @Test
    void systemRootCertificatesNeedVerifyFull() {
        Properties p = parse("host=h sslmode=verify-full sslrootcert=system").jdbcProperties();
        assertThat(p.getProperty("sslfactory")).isEqualTo("org.postgresql.ssl.DefaultJavaSSLFactory");
        assertThat(p.getProperty("sslrootcert")).isNull();
        assertThatThrownBy(() -> parse("host=h sslmode=require sslrootcert=system"))
                .isInstanceOf(PgFerryException.class)
                .hasMessageContaining("verify-full");
    }

    @Test
    void otherOptionsMapToPgjdbc() {
        Properties p = parse("host=h connect_timeout=7 application_name=app options='-c search_path=s'"
                        + " keepalives=0 channel_binding=require gssencmode=disable load_balance_hosts=random")
                .jdbcProperties();
        assertThat(p.getProperty("connectTimeout")).isEqualTo("7");
        assertThat(p.getProperty("ApplicationName")).isEqualTo("app");
        assertThat(p.getProperty("options")).isEqualTo("-c search_path=s");
        assertThat(p.getProperty("tcpKeepAlive")).isEqualTo("false");
        assertThat(p.getProperty("channelBinding")).isEqualTo("require");
        assertThat(p.getProperty("gssEncMode")).isEqualTo("disable");
        assertThat(p.getProperty("loadBalanceHosts")).isEqualTo("true");

        Properties defaults = parse("host=h").jdbcProperties();
        assertThat(defaults.getProperty("ApplicationName")).isEqualTo("pgferry");
        assertThat(defaults.getProperty("tcpKeepAlive")).isEqualTo("true");
        assertThat(parse("host=h fallback_application_name=fb").applicationName())
                .isEqualTo("fb");
        assertThat(parse("host=h keepalives_idle=30 tcp_user_timeout=1000").host())
                .isEqualTo("h");
    }

    @Test
    void replicationProperties() {
        Properties p = parse("host=h user=u password=pw").replicationProperties();
        assertThat(p.getProperty("replication")).isEqualTo("database");
        assertThat(p.getProperty("preferQueryMode")).isEqualTo("simple");
        assertThat(p.getProperty("assumeMinServerVersion")).isEqualTo("10");
        assertThat(p.getProperty("user")).isEqualTo("u");
        assertThat(p.getProperty("password")).isEqualTo("pw");
    }

    @Test
    void maskedNeverShowsPasswords() {
        Dsn dsn = parse("postgresql://alice:hunter2secret@db:5433/sales?sslmode=require&sslpassword=keypass");
        assertThat(dsn.masked()).doesNotContain("hunter2secret").doesNotContain("keypass");
        assertThat(dsn.masked()).isEqualTo("postgresql://alice:****@db:5433/sales?sslmode=require&sslpassword=****");
        assertThat(dsn.toString()).isEqualTo(dsn.masked());
        assertThat(parse("host=db user=u password=x1y2z3").toString()).doesNotContain("x1y2z3");
    }

    @Test
    void maskedParsesBackToTheSameConnection() {
        Dsn dsn = parse("host=h1,h2 port=5433 dbname='my db' user=zoë options='-c x=1' sslmode=verify-full");
        Dsn back = parse(dsn.masked());
        assertThat(back.endpoints()).isEqualTo(dsn.endpoints());
        assertThat(back.dbname()).isEqualTo("my db");
        assertThat(back.user()).isEqualTo("zoë");
        assertThat(back.jdbcProperties()).isEqualTo(dsn.jdbcProperties());
    }

    @Test
    void maskSecretsInArbitraryText() {
        assertThat(Dsn.maskSecretsIn("cannot use postgresql://u:pw123@h:5432/db now"))
                .isEqualTo("cannot use postgresql://u:****@h:5432/db now");
        assertThat(Dsn.maskSecretsIn("postgres://u:p%40w@h/db")).isEqualTo("postgres://u:****@h/db");
        assertThat(Dsn.maskSecretsIn("host=h password=secret user=u")).isEqualTo("host=h password=**** user=u");
        assertThat(Dsn.maskSecretsIn("password = 'a b\\' c' user=u")).isEqualTo("password = **** user=u");
        assertThat(Dsn.maskSecretsIn("x?sslpassword=kp&y=1")).isEqualTo("x?sslpassword=****&y=1");
        assertThat(Dsn.maskSecretsIn("postgresql://u@h/db")).isEqualTo("postgresql://u@h/db");
        Dsn dsn = parse("host=h password=literal-secret");
        assertThat(dsn.maskSecrets("server said literal-secret")).isEqualTo("server said ****");
        // Issue 7: the password of any target URI and of a Kafka JAAS configuration was printed by config check.
        assertThat(Dsn.maskSecretsIn("mysql://app:s3cret@db:3306/shop?sslmode=require"))
                .isEqualTo("mysql://app:****@db:3306/shop?sslmode=require");
        assertThat(Dsn.maskSecretsIn("sqlserver://sa:Pa55word@h:1433/db")).isEqualTo("sqlserver://sa:****@h:1433/db");
        assertThat(Dsn.maskSecretsIn("kafka://b:9092?producer.sasl.jaas.config=Scram%20required%20username%3D%22u%22"
                        + "%20password%3D%22s3cret%22%3B&topic.prefix=p"))
                .isEqualTo("kafka://b:9092?producer.sasl.jaas.config=****&topic.prefix=p");
        assertThat(Dsn.maskSecretsIn("producer.ssl.truststore.password=s3cret"))
                .isEqualTo("producer.ssl.truststore.password=****");
        assertThat(Dsn.maskSecretsIn("sasl.jaas.config=Scram required username=\"u\" password=\"s3cret\";"))
                .doesNotContain("s3cret");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "host=h bogus=1",
                "host=h password=hunter2 sslmode=bogus",
                "host=h service=x",
                "host=h sslcrl=/crl.pem",
                "host=h replication=database",
                "host=h password",
                "host=h password='hunter2",
                "host=h =x",
                "host=h port=0",
                "host=h port=99999",
                "host=h port=abc",
                "host=h connect_timeout=soon",
                "host=h,h2 port=1,2,3",
                "host=h client_encoding=LATIN1",
                "postgresql://u:hunter2@h:port/db",
                "postgresql://u:hunter2@[::1/db",
                "postgresql://u:hunter2@h/db?sslmode",
                "postgresql://u:hunter2@h/db%zz",
                "postgresql://u:hunter2@h/db%00",
                "postgresql://u:hunter2@h/db%C3",
                "postgresql://u:hunter2@h/db?sslmode=bogus",
                "jdbc:postgresql://h/db",
                "   ",
                "host='h x'",
            })
    void malformedDsnsAreOneClearErrorWithoutThePassword(String text) {
        assertThatThrownBy(() -> parse(text)).isInstanceOfSatisfying(PgFerryException.class, e -> {
            assertThat(e.isRetriable()).isFalse();
            assertThat(e.getMessage()).doesNotContain("hunter2").doesNotContain("\n");
            assertThat(e.problem()).startsWith("malformed DSN: ");
            assertThat(e.fix()).isNotEmpty();
        });
    }

    @Test
    void errorsNameTheKeyword() {
        assertThatThrownBy(() -> parse("host=h sslmod=require"))
                .hasMessageContaining("unknown keyword 'sslmod'")
                .hasMessageContaining("postgresql://user@host:5432/db");
        assertThatThrownBy(() -> parse("host=h dbname")).hasMessageContaining("missing '=' after 'dbname'");
        assertThatThrownBy(() -> parse("host=h sslmode=maybe")).hasMessageContaining("'sslmode'");
        assertThatThrownBy(() -> parse("jdbc:postgresql://h/db")).hasMessageContaining("jdbc:postgresql");
    }

    @Test
    void unixSocketsAreRefusedWithAFix() {
        assertThatThrownBy(() -> parse("host=/var/run/postgresql"))
                .isInstanceOf(PgFerryException.class)
                .hasMessageContaining("Unix-domain socket")
                .hasMessageContaining("host=localhost");
        assertThatThrownBy(() -> parse("postgresql://%2Fvar%2Frun%2Fpostgresql/db"))
                .hasMessageContaining("Unix-domain socket");
    }

    @Test
    void fromEnvironmentOr() {
        vars.put(Dsn.SOURCE_DSN_VARIABLE, "postgresql://envuser@envhost/envdb");
        assertThat(Dsn.fromEnvironmentOr("host=cli dbname=x", env()).host()).isEqualTo("cli");
        assertThat(Dsn.fromEnvironmentOr(null, env()).host()).isEqualTo("envhost");
        assertThat(Dsn.fromEnvironmentOr("  ", env()).dbname()).isEqualTo("envdb");
        vars.remove(Dsn.SOURCE_DSN_VARIABLE);
        assertThatThrownBy(() -> Dsn.fromEnvironmentOr(null, env()))
                .isInstanceOf(PgFerryException.class)
                .hasMessageContaining("no source database given")
                .hasMessageContaining("PGFERRY_SOURCE_DSN");
    }

    @Test
    void hostaddrConnectsWhileHostNamesTheServer() {
        Dsn dsn = parse("host=db.example hostaddr=10.0.0.5 port=5433");
        assertThat(dsn.host()).isEqualTo("db.example");
        assertThat(dsn.jdbcUrl()).startsWith("jdbc:postgresql://10.0.0.5:5433/");
        assertThat(dsn.masked()).contains("hostaddr=10.0.0.5");
        assertThat(parse("hostaddr=127.0.0.1").jdbcUrl()).startsWith("jdbc:postgresql://127.0.0.1:5432/");
    }

    @Test
    void equalityIsByContent() {
        assertThat(parse("host=h port=5432 dbname=d user=u")).isEqualTo(parse("postgresql://u@h/d"));
        assertThat(parse("host=h dbname=d")).isNotEqualTo(parse("host=h dbname=e"));
    }
}
