package io.pgferry.embedded;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * Unpacks a {@code .tar.xz} keeping symbolic links and permission bits. Everything is made readable (and, where the
 * owner may execute, executable) by others, because PostgreSQL may run as another user than the one extracting.
 */
final class TarXzExtractor {
    private static final PosixFilePermission[] BITS = {
        PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
        PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
        PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ
    };

    private TarXzExtractor() {}

    static void extract(byte[] archive, Path destination) throws IOException {
        List<Path> directories = new ArrayList<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(
                new XZInputStream(new BufferedInputStream(new ByteArrayInputStream(archive))))) {
            for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                Path path = inside(destination, entry.getName());
                if (entry.isDirectory()) {
                    Files.createDirectories(path);
                    directories.add(path);
                    continue;
                }
                Files.createDirectories(path.getParent());
                if (entry.isSymbolicLink()) {
                    Files.createSymbolicLink(path, Paths.get(entry.getLinkName()));
                } else if (entry.isLink()) {
                    Files.createLink(path, inside(destination, entry.getLinkName()));
                } else {
                    Files.copy(tar, path);
                    Files.setPosixFilePermissions(path, shareable(entry.getMode()));
                }
            }
        }
        // Directories last: a directory extracted read-only would otherwise block the files below it.
        for (Path directory : directories) {
            Files.setPosixFilePermissions(directory, shareable(0755));
        }
    }

    /** Resolves an entry name and rejects names that climb out of the destination ("zip slip"). */
    private static Path inside(Path destination, String name) throws IOException {
        Path path = destination.resolve(name).normalize();
        if (!path.startsWith(destination)) {
            throw new IOException("archive entry escapes the destination: " + name);
        }
        return path;
    }

    static Set<PosixFilePermission> shareable(int mode) {
        int shared = mode | 0644 | ((mode & 0100) != 0 ? 0011 : 0);
        Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
        for (int bit = 0; bit < BITS.length; bit++) {
            if ((shared & (1 << bit)) != 0) {
                permissions.add(BITS[bit]);
            }
        }
        return permissions;
    }
}
