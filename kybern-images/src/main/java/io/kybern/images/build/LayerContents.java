package io.kybern.images.build;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * What one COPY or ADD puts into its layer: the files its sources name (paths or globs inside the build
 * context or a stage's file system, never outside), with their modes and the owner {@code --chown} gives,
 * and the entries of local tar archives that ADD extracts. Entry names are image paths without the leading
 * slash, as tar layers write them.
 */
final class LayerContents {

    private LayerContents() {
    }

    static int[] owner(Instruction in) {
        String chown = in.flags().get("chown");
        if (chown == null) {
            return new int[] {0, 0};
        }
        String[] parts = chown.split(":", 2);
        int uid = id(in, parts[0]);
        int gid = parts.length > 1 ? id(in, parts[1]) : uid;
        return new int[] {uid, gid};
    }

    private static int id(Instruction in, String text) {
        if (text.equals("root")) {
            return 0;
        }
        if (!text.matches("\\d{1,9}")) {
            throw new DockerfileSyntaxException(in.line(), "--chown takes numeric ids (or root): " + text);
        }
        return Integer.parseInt(text);
    }

    /** The files a COPY source names: a path in the source root, or a glob in its last part. */
    static List<Path> match(Instruction in, Path root, String src) throws IOException {
        String clean = Rootfs.clean(src);
        Path candidate = clean.isEmpty() ? root : root.resolve(clean).normalize();
        if (!candidate.startsWith(root)) {
            throw new DockerfileSyntaxException(in.line(), "source leaves the build context: " + src);
        }
        String last = candidate.getFileName() == null ? "" : candidate.getFileName().toString();
        if (last.contains("*") || last.contains("?") || last.contains("[")) {
            PathMatcher glob = FileSystems.getDefault().getPathMatcher("glob:" + last);
            List<Path> found;
            try (Stream<Path> list = Files.list(candidate.getParent())) {
                found = list.filter(p -> glob.matches(p.getFileName())).sorted().toList();
            } catch (java.nio.file.NoSuchFileException e) {
                found = List.of();
            }
            if (found.isEmpty()) {
                throw new DockerfileSyntaxException(in.line(), "no source files were specified: " + src);
            }
            return found;
        }
        if (!Files.exists(candidate, LinkOption.NOFOLLOW_LINKS)) {
            throw new DockerfileSyntaxException(in.line(), in.keyword() + " failed: file not found in build context: "
                    + src);
        }
        if (!Files.isSymbolicLink(candidate) && !candidate.toRealPath().startsWith(root.toRealPath())) {
            throw new DockerfileSyntaxException(in.line(), "source leaves the build context: " + src);
        }
        return List.of(candidate);
    }

    static void collect(Path dir, String destDir, TreeMap<String, Entry> entries, int[] owner, Integer chmod)
            throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted().toList()) {
                String rel = dir.relativize(p).toString();
                String target = rel.isEmpty() ? destDir : join(destDir, rel);
                if (relative(target).isEmpty()) {
                    continue; // COPY dir / : the root itself is not an entry
                }
                entries.put(relative(target), Entry.of(p, owner, chmod));
            }
        }
    }

    enum Kind { FILE, DIRECTORY, SYMLINK }

    /** One file to write into a layer. */
    record Entry(Path source, int mode, int uid, int gid, Kind kind, String linkTarget) {
        /** A directory above a destination, made as docker makes it: root's, mode 755. */
        static Entry parentDirectory() {
            return new Entry(null, 0755, 0, 0, Kind.DIRECTORY, null);
        }

        static Entry of(Path path, int[] owner, Integer chmod) throws IOException {
            if (Files.isSymbolicLink(path)) {
                return new Entry(path, 0777, owner[0], owner[1], Kind.SYMLINK, Files.readSymbolicLink(path).toString());
            }
            int mode = chmod != null ? chmod : Rootfs.mode(path);
            Kind kind = Files.isDirectory(path) ? Kind.DIRECTORY : Kind.FILE;
            return new Entry(path, mode, owner[0], owner[1], kind, null);
        }

        void write(LayerWriter layer, String path) throws IOException {
            switch (kind) {
                case DIRECTORY -> layer.directory(path, mode, uid, gid);
                case SYMLINK -> layer.symlink(path, linkTarget, uid, gid);
                case FILE -> {
                    try (InputStream in = Files.newInputStream(source)) {
                        layer.file(path, mode, uid, gid, Files.size(source), in);
                    }
                }
            }
        }
    }

    /** ADD of a local tar: its entries go under the destination directory, with fixed times. */
    static void extractInto(LayerWriter layer, Path archive, String destDir, int[] owner) throws IOException {
        try (InputStream in = Rootfs.layerStream(Files.newInputStream(archive));
             TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            for (TarArchiveEntry entry; (entry = tar.getNextEntry()) != null; ) {
                String name = Rootfs.clean(entry.getName());
                if (name.isEmpty()) {
                    continue;
                }
                if (Path.of(name).normalize().startsWith("..")) {
                    throw new IOException("archive " + archive.getFileName() + " has an entry outside it: " + name);
                }
                String target = destDir.isEmpty() ? name : destDir + "/" + name;
                int uid = owner[0] != 0 || owner[1] != 0 ? owner[0] : (int) entry.getLongUserId();
                int gid = owner[0] != 0 || owner[1] != 0 ? owner[1] : (int) entry.getLongGroupId();
                if (entry.isDirectory()) {
                    layer.directory(target, entry.getMode(), uid, gid);
                } else if (entry.isSymbolicLink()) {
                    layer.symlink(target, entry.getLinkName(), uid, gid);
                } else if (entry.isFile()) {
                    layer.file(target, entry.getMode(), uid, gid, entry.getSize(), tar);
                }
            }
        }
    }

    /** Whether a file is a tar archive, plain or gzipped, as ADD decides whether to extract it. */
    static boolean isTar(Path file) throws IOException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file));
             InputStream in = Rootfs.layerStream(raw)) {
            byte[] header = in.readNBytes(512);
            return header.length == 512 && new String(header, 257, 5, java.nio.charset.StandardCharsets.US_ASCII)
                    .equals("ustar");
        } catch (IOException notGzip) {
            return false;
        }
    }

    static String join(String dir, String name) {
        return dir.endsWith("/") ? dir + name : dir + "/" + name;
    }

    /** An absolute image path as a tar entry name: no leading slash. */
    static String relative(String absolute) {
        return Rootfs.clean(absolute);
    }
}
