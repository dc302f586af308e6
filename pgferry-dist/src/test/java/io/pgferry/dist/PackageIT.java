package io.pgferry.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The packages the build made (issue #9): the .deb's and .rpm's contents and metadata read with dpkg-deb and rpm;
 * then, on a Debian machine as root (as CI runs), the .deb installed for real: the pgferry user, pgferry --version,
 * pgferry config check on every example, the units checked by systemd-analyze verify where it exists, and a purge
 * that leaves nothing behind.
 */
class PackageIT {
    private static final Path DIST = Path.of(System.getProperty("pgferry.dist.dir", "target"));
    private static final List<String> UNITS =
            List.of("pgferry-stream@", "pgferry-sync@", "pgferry-scan@", "pgferry-guard@");

    @Test
    void theDebHoldsTheApplicationTheLauncherTheUnitsAndTheExamples() throws Exception {
        Path deb = only(".deb");
        String contents = run("dpkg-deb", "--contents", deb.toString());
        assertThat(contents)
                .contains("./usr/share/pgferry/pgferry.jar", "./usr/share/pgferry/after-install.sh")
                .contains(
                        "./usr/share/doc/pgferry/examples/stream.yaml",
                        "./usr/share/doc/pgferry/monitoring/alerts.yaml");
        assertThat(contents.lines().filter(l -> l.endsWith("./usr/bin/pgferry")))
                .singleElement()
                .satisfies(l -> assertThat(l).startsWith("-rwxr-xr-x root/root"));
        for (String unit : UNITS) {
            assertThat(contents).contains("./lib/systemd/system/" + unit + ".service");
        }
        String info = run("dpkg-deb", "--info", deb.toString());
        assertThat(info)
                .contains("Package: pgferry", "Architecture: all")
                .contains("Depends: default-jre-headless (>= 2:1.17) | java17-runtime-headless");
    }

    @Test
    void theRpmHoldsTheSameAndRequiresJava17() throws Exception {
        Path rpm = only(".rpm");
        String files = run("rpm", "-qpl", rpm.toString());
        assertThat(files)
                .contains("/usr/share/pgferry/pgferry.jar", "/usr/bin/pgferry")
                .contains("/usr/share/doc/pgferry/examples/sync.yaml");
        for (String unit : UNITS) {
            assertThat(files).contains("/usr/lib/systemd/system/" + unit + ".service");
        }
        assertThat(run("rpm", "-qp", "--requires", rpm.toString())).contains("java-headless >= 1:17");
        assertThat(run("rpm", "-qp", "--scripts", rpm.toString())).contains("sh /usr/share/pgferry/after-install.sh");
        // Digests of the header and payload: the file is whole.
        assertThat(run("rpm", "-K", "--nosignature", rpm.toString())).contains("digests OK");
    }

    @Test
    void theDebInstallsRunsChecksTheExamplesAndPurgesCleanly() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "installing a package needs root (CI runs as root)");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/dpkg")), "a Debian machine");
        Path deb = only(".deb");
        try {
            run("dpkg", "-i", deb.toString());
            assertThat(run("getent", "passwd", "pgferry")).contains("/var/lib/pgferry");
            String version = System.getProperty("pgferry.version");
            assertThat(run("/usr/bin/pgferry", "--version").strip()).isEqualTo("pgferry " + version);
            assertThat(Path.of("/var/cache/pgferry/pgferry.jsa"))
                    .as("the class-data archive")
                    .exists();
            try (Stream<Path> examples = Files.list(Path.of("/usr/share/doc/pgferry/examples"))) {
                List<Path> all = examples.toList();
                assertThat(all).hasSizeGreaterThanOrEqualTo(4);
                for (Path example : all) {
                    assertThat(run("/usr/bin/pgferry", "config", "check", "--config", example.toString()))
                            .contains("is valid for 1 command");
                }
            }
            if (Files.isExecutable(Path.of("/usr/bin/systemd-analyze"))) {
                for (String unit : UNITS) {
                    Path instance = Files.createTempDirectory("units").resolve(unit + "check.service");
                    Files.copy(Path.of("/lib/systemd/system/" + unit + ".service"), instance);
                    run("systemd-analyze", "verify", "--man=no", instance.toString());
                }
            }
        } finally {
            run("dpkg", "--purge", "pgferry");
        }
        assertThat(Path.of("/usr/bin/pgferry")).doesNotExist();
        assertThat(Path.of("/usr/share/pgferry")).doesNotExist();
        assertThat(Path.of("/var/cache/pgferry")).doesNotExist();
        assertThat(exitCode("getent", "passwd", "pgferry"))
                .as("the pgferry user is gone")
                .isNotZero();
        assertThat(exitCode("dpkg", "-s", "pgferry")).isNotZero();
    }

    /** The one package file of that kind the build made (rpm-maven-plugin writes under rpm/NAME/RPMS/ARCH). */
    private static Path only(String suffix) throws IOException {
        try (Stream<Path> files = Files.walk(DIST, 5)) {
            List<Path> found = files.filter(p -> p.toString().endsWith(suffix)).toList();
            assertThat(found).as("one %s in %s", suffix, DIST).hasSize(1);
            return found.get(0);
        }
    }

    /** Runs a command, fails the test unless it exits 0, and returns its standard output and error. */
    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(new ArrayList<>(List.of(command)))
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("%s ended", command[0]).isTrue();
        assertThat(p.exitValue()).as("%s: %s", String.join(" ", command), out).isZero();
        return out;
    }

    private static int exitCode(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return p.exitValue();
    }
}
