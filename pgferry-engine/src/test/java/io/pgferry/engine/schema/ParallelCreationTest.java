package io.pgferry.engine.schema;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.engine.SyncEngine;
import io.pgferry.engine.config.CopyMode;
import io.pgferry.engine.config.SyncConfig;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.PostgresServer;
import io.pgferry.testkit.TestDatabase;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * Issue 5: the target's tables are made on several sessions at once (the creation is the target's work, one core a
 * session). Two sessions may clash on a name the server picks itself: table {@code t001}'s array type is named {@code
 * _t001}, the name of another table here; made one after the other, the server renames the array type out of the
 * way, made at once the later fails with a unique violation. In the C collation the tables {@code _t050} to {@code
 * _t099} fall in the second batch of 50 and {@code t050} to {@code t099} in the fourth, made at the same time.
 */
@PgTest
class ParallelCreationTest {
    @Test
    void tablesWhoseNamesClashWithOthersArrayTypesAreAllMade(TestDatabase source) throws Exception {
        List<String> ddl = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            String n = String.format(Locale.ROOT, "t%03d", i);
            for (String name : List.of(n, "_" + n)) {
                ddl.add("CREATE TABLE " + name + " (id int PRIMARY KEY, v text)");
                ddl.add("INSERT INTO " + name + " VALUES (1, '" + name + "')");
            }
        }
        source.execute(ddl.toArray(String[]::new));
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            new SyncEngine(SyncConfig.builder()
                            .source(source.uri())
                            .target(target.uri())
                            .slot("parallel_creation")
                            .copyMode(CopyMode.SNAPSHOT)
                            .workers(4)
                            .untilCaughtUp(true)
                            .build())
                    .run();
            assertThat(target.queryLong("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"))
                    .isEqualTo(200);
            assertThat(target.queryLong("SELECT count(*) FROM pg_indexes WHERE schemaname = 'public'"))
                    .isEqualTo(200);
            assertThat(target.queryLong("SELECT count(*) FROM t099, _t099, _t050"
                            + " WHERE t099.v = 't099' AND _t099.v = '_t099' AND _t050.v = '_t050'"))
                    .isEqualTo(1);
        }
    }
}
