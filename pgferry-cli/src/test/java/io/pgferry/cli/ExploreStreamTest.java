package io.pgferry.cli;

import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@PgTest
class ExploreStreamTest {
    @Test
    void explore(TestDatabase db, @TempDir Path dir) throws Exception {
        db.execute("CREATE TABLE w (id int PRIMARY KEY, f8 float8, n numeric, j json, jb jsonb, a int[], t text[], big text)");
        Path out = dir.resolve("out.jsonl");
        long t0 = System.nanoTime();
        CliRun r = CliRun.run("stream", "--source", db.uri(), "--tables", "public.w", "--until-caught-up", "--output", out.toString());
        System.out.println("RUN1 " + (System.nanoTime() - t0) / 1e6 + " ms " + r);
        db.execute("INSERT INTO w VALUES (1, '-0', 'NaN', '{\"a\":\n 1}', '{\"b\": [1, 2.50]}', '{{1,NULL},{3,4}}', '{{\"a,b\",NULL},{\"NULL\",\"x\\\\y\"}}', repeat('x', 1000000))",
                "UPDATE w SET f8 = 'Infinity'",
                "TRUNCATE w",
                "SELECT pg_logical_emit_message(true, 'p', 'hello')");
        t0 = System.nanoTime();
        r = CliRun.run("stream", "--source", db.uri(), "--tables", "public.w", "--until-caught-up", "--output", out.toString());
        System.out.println("RUN2 " + (System.nanoTime() - t0) / 1e6 + " ms " + r);
        for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
            System.out.println("LINE " + (line.length() > 400 ? line.substring(0, 400) : line));
        }
    }
}
