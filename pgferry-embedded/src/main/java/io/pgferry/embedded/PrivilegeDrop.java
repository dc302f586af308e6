package io.pgferry.embedded;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Who PostgreSQL processes run as. PostgreSQL exits at once when started as root, so a root JVM starts them as
 * {@code nobody} through util-linux {@code setpriv}, which sets the real and effective ids and then execs the
 * program: the child's pid is PostgreSQL's own, so signals sent to it reach the postmaster.
 *
 * <p>Invariant: when {@link #active()} is false every method is a no-op and commands run unchanged.
 */
final class PrivilegeDrop {
    private static final String USER = "nobody";
    // Debian names nobody's group "nogroup"; Red Hat-style systems call it "nobody".
    private static final List<String> GROUPS = List.of("nogroup", "nobody");

    private final UserPrincipal user;
    private final GroupPrincipal group;
    private final List<String> prefix;

    private PrivilegeDrop(UserPrincipal user, GroupPrincipal group, List<String> prefix) {
        this.user = user;
        this.group = group;
        this.prefix = prefix;
    }

    static PrivilegeDrop detect() {
        if (!runningAsRoot()) {
            return new PrivilegeDrop(null, null, List.of());
        }
        String setpriv = findOnPath("setpriv")
                .orElseThrow(() -> new EmbeddedPostgresException(
                        "the JVM runs as root and PostgreSQL refuses to; install util-linux (setpriv) so that"
                                + " pgferry can start it as " + USER + ", or run as an ordinary user"));
        UserPrincipalLookupService lookup = Paths.get("/").getFileSystem().getUserPrincipalLookupService();
        try {
            UserPrincipal user = lookup.lookupPrincipalByName(USER);
            GroupPrincipal group = null;
            for (String name : GROUPS) {
                try {
                    group = lookup.lookupPrincipalByGroupName(name);
                    break;
                } catch (IOException notThisName) {
                    // try the next spelling
                }
            }
            if (group == null) {
                throw new EmbeddedPostgresException("no group named " + String.join(" or ", GROUPS) + " exists");
            }
            List<String> prefix =
                    List.of(setpriv, "--reuid=" + USER, "--regid=" + group.getName(), "--clear-groups", "--");
            return new PrivilegeDrop(user, group, prefix);
        } catch (IOException e) {
            throw new EmbeddedPostgresException("the JVM runs as root but user " + USER + " does not exist", e);
        }
    }

    boolean active() {
        return user != null;
    }

    /** {@code command} as it must be started: behind setpriv when the JVM is root. */
    List<String> command(List<String> command) {
        List<String> full = new ArrayList<>(prefix);
        full.addAll(command);
        return full;
    }

    /** Makes {@code path} owned by the user PostgreSQL runs as, so that it can create files below it. */
    void handOver(Path path) {
        if (!active()) {
            return;
        }
        try {
            PosixFileAttributeView view =
                    Files.getFileAttributeView(path, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
            view.setOwner(user);
            view.setGroup(group);
        } catch (IOException e) {
            throw new EmbeddedPostgresException("cannot hand " + path + " over to " + USER + ": " + e, e);
        }
    }

    /**
     * Checks that the unprivileged user can reach {@code path}: every ancestor directory must be searchable by
     * others. Changing permissions of directories we did not create (say /root) would be a surprise, so this only
     * reports the problem.
     */
    void requireReachable(Path path) {
        if (!active()) {
            return;
        }
        for (Path dir = path.toAbsolutePath().getParent(); dir != null; dir = dir.getParent()) {
            try {
                PosixFileAttributes attributes = Files.readAttributes(dir, PosixFileAttributes.class);
                if (!attributes.permissions().contains(PosixFilePermission.OTHERS_EXECUTE)
                        && !attributes.owner().equals(user)) {
                    throw new EmbeddedPostgresException("PostgreSQL runs as " + USER + " and cannot enter " + dir
                            + " (needed for " + path + "); choose another directory with -Djava.io.tmpdir=...");
                }
            } catch (IOException e) {
                throw new EmbeddedPostgresException("cannot read the permissions of " + dir + ": " + e, e);
            }
        }
    }

    private static boolean runningAsRoot() {
        try {
            return ExternalCommand.run(List.of("id", "-u"), Duration.ofSeconds(10))
                    .strip()
                    .equals("0");
        } catch (EmbeddedPostgresException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    private static Optional<String> findOnPath(String program) {
        String path = Optional.ofNullable(System.getenv("PATH")).orElse("/usr/bin:/bin");
        List<String> dirs = new ArrayList<>(List.of(path.split(File.pathSeparator)));
        dirs.addAll(List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin"));
        return dirs.stream()
                .filter(dir -> !dir.isEmpty())
                .map(dir -> Paths.get(dir, program))
                .filter(Files::isExecutable)
                .map(Path::toString)
                .findFirst();
    }
}
