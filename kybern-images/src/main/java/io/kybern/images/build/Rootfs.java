package io.kybern.images.build;

import io.kybern.images.oci.Descriptor;
import io.kybern.images.storage.BlobStore;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * A stage's file system unpacked into a directory, for {@code COPY --from}: its layers applied in order, with
 * the OCI whiteouts ({@code .wh.NAME} deletes NAME, {@code .wh..wh..opq} empties a directory). Entries that would
 * leave the directory ({@code ..}, or through a symbolic link) are refused. Modes are kept; ownership is not
 * (COPY gives root or its {@code --chown}).
 */
final class Rootfs {

    private Rootfs() {
    }

    static void unpack(BlobStore blobs, List<Descriptor> layers, Path root) throws IOException {
        for (Descriptor layer : layers) {
            try (InputStream in = layerStream(blobs.open(layer.digest()))) {
                apply(new TarArchiveInputStream(in), root);
            }
        }
    }

    /** A layer's tar, gunzipped when it is compressed (whatever its media type claims). */
    static InputStream layerStream(InputStream raw) throws IOException {
        BufferedInputStream in = new BufferedInputStream(raw, 64 * 1024);
        in.mark(2);
        int b1 = in.read();
        int b2 = in.read();
        in.reset();
        return b1 == 0x1f && b2 == 0x8b ? new GzipCompressorInputStream(in, true) : in;
    }

    private static void apply(TarArchiveInputStream tar, Path root) throws IOException {
        for (TarArchiveEntry entry; (entry = tar.getNextEntry()) != null; ) {
            String name = clean(entry.getName());
            if (name.isEmpty()) {
                continue;
            }
            Path target = inside(root, name);
            String base = target.getFileName().toString();
            if (base.equals(".wh..wh..opq")) {
                deleteChildren(target.getParent());
                continue;
            }
            if (base.startsWith(".wh.")) {
                deleteTree(target.resolveSibling(base.substring(4)));
                continue;
            }
            Files.createDirectories(target.getParent());
            if (entry.isDirectory()) {
                if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                    deleteTree(target);
                    Files.createDirectory(target);
                }
                chmod(target, entry.getMode());
            } else if (entry.isSymbolicLink()) {
                deleteTree(target);
                Files.createSymbolicLink(target, Path.of(entry.getLinkName()));
            } else if (entry.isLink()) {
                deleteTree(target);
                Files.createLink(target, inside(root, clean(entry.getLinkName())));
            } else if (entry.isFile()) {
                deleteTree(target);
                Files.copy(tar, target);
                chmod(target, entry.getMode());
            }
            // Devices and fifos are not needed to copy files out of a stage.
        }
    }

    static String clean(String name) {
        String n = name;
        while (n.startsWith("./") || n.startsWith("/")) {
            n = n.startsWith("./") ? n.substring(2) : n.substring(1);
        }
        if (n.endsWith("/")) {
            n = n.substring(0, n.length() - 1);
        }
        return n.equals(".") ? "" : n;
    }

    /** {@code root/name}, refusing names that climb out of root or pass through a symbolic link. */
    static Path inside(Path root, String name) throws IOException {
        Path target = root.resolve(name).normalize();
        if (!target.startsWith(root) || target.equals(root)) {
            throw new IOException("archive entry leaves its root: " + name);
        }
        for (Path p = target.getParent(); p != null && !p.equals(root); p = p.getParent()) {
            if (Files.isSymbolicLink(p)) {
                throw new IOException("archive entry passes through a symbolic link: " + name);
            }
        }
        return target;
    }

    private static void chmod(Path path, int mode) throws IOException {
        Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] order = {PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE,
                PosixFilePermission.OTHERS_READ, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE,
                PosixFilePermission.GROUP_READ, PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE,
                PosixFilePermission.OWNER_READ};
        for (int bit = 0; bit < order.length; bit++) {
            if ((mode & (1 << bit)) != 0) {
                perms.add(order[bit]);
            }
        }
        perms.add(PosixFilePermission.OWNER_READ); // the builder must read what it copies on
        if (Files.isDirectory(path)) {
            perms.add(PosixFilePermission.OWNER_EXECUTE);
            perms.add(PosixFilePermission.OWNER_WRITE);
        }
        Files.setPosixFilePermissions(path, perms);
    }

    static int mode(Path path) throws IOException {
        Object mode = Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        return ((Integer) mode) & 07777;
    }

    private static void deleteChildren(Path dir) throws IOException {
        if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            try (Stream<Path> children = Files.list(dir)) {
                for (Path child : children.toList()) {
                    deleteTree(child);
                }
            }
        }
    }

    static void deleteTree(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
            try (Stream<Path> walk = Files.walk(path)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        } else {
            Files.deleteIfExists(path);
        }
    }
}
