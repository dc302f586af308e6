package io.pgferry.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The test kit's MariaDB: started unprivileged on a free port, utf8mb4 throughout, a database per test. Issue #7. */
@Tag("mariadb")
class MariaDbServerTest {

    @Test
    void startsAndKeepsFourByteCharacters() throws Exception {
        MariaDbServer server = MariaDbServer.shared();
        String db = server.createDatabase();
        try (Connection c = server.connect(db)) {
            try (Statement st = c.createStatement()) {
                st.execute("CREATE TABLE `Mixed Case` (id bigint PRIMARY KEY, v text)");
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO `Mixed Case` VALUES (?, ?)")) {
                ps.setLong(1, 1);
                ps.setString(2, "emoji \uD83D\uDE00 and 'quotes'");
                ps.executeUpdate();
            }
            try (Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT v, @@port, CURRENT_USER() FROM `Mixed Case`")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("emoji \uD83D\uDE00 and 'quotes'");
                assertThat(rs.getInt(2)).isEqualTo(server.port());
                assertThat(rs.getString(3)).isEqualTo("pgferry@127.0.0.1");
            }
        } finally {
            server.drop(db);
        }
        if ("root".equals(System.getProperty("user.name"))) {
            try (Connection c = server.connect("");
                    Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT @@datadir")) {
                rs.next();
                // Not run as root: the data directory belongs to the package's mysql user.
                assertThat(java.nio.file.Files.getOwner(java.nio.file.Path.of(rs.getString(1)))
                                .getName())
                        .isEqualTo("mysql");
            }
        }
    }
}
