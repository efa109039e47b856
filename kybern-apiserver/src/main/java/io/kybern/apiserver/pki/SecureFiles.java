package io.kybern.apiserver.pki;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * File writes for secrets: whole-file replacement through a temporary file in the same directory
 * (readers see the old or the new content, never half of either), created with its final mode so a
 * key is never readable by others even for a moment, and forced to disk before it takes the name.
 */
final class SecureFiles {

    static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");
    static final Set<PosixFilePermission> OWNER_ONLY_DIRECTORY = PosixFilePermissions.fromString("rwx------");

    /** No PKI file we write comes near this; a bigger one is not ours. */
    static final int MAX_READ_BYTES = 1 << 20;

    private SecureFiles() {
    }

    static boolean posix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }

    /** Creates the directory (and missing parents) and makes the directory itself owner-only. */
    static void ensurePrivateDirectory(Path dir) throws IOException {
        Files.createDirectories(dir);
        if (posix() && !Files.getPosixFilePermissions(dir).equals(OWNER_ONLY_DIRECTORY)) {
            Files.setPosixFilePermissions(dir, OWNER_ONLY_DIRECTORY);
        }
    }

    /** Replaces {@code file} with {@code content}, mode 0600. */
    static void writeAtomically(Path file, byte[] content) throws IOException {
        writeAtomically(file, content, OWNER_ONLY_FILE);
    }

    /** Replaces {@code file} with {@code content}, with the given mode where the file system has modes. */
    static void writeAtomically(Path file, byte[] content, Set<PosixFilePermission> mode) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        FileAttribute<?>[] attributes = posix()
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(mode)}
                : new FileAttribute<?>[0];
        Path temp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp", attributes);
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            if (posix()) {
                // The umask may have taken bits away at creation; the caller asked for this mode exactly.
                Files.setPosixFilePermissions(temp, mode);
            }
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
        syncDirectory(dir);
    }

    /** Reads a small file whole, refusing anything larger than {@link #MAX_READ_BYTES}. */
    static byte[] readSmall(Path file) throws IOException {
        long size = Files.size(file);
        if (size > MAX_READ_BYTES) {
            throw new IOException("is " + size + " bytes, larger than any file this directory should hold");
        }
        return Files.readAllBytes(file);
    }

    /** Makes a rename durable: on Linux the directory entry is only on disk once the directory is synced. */
    private static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Not every platform can open a directory (Windows cannot); the rename itself has happened.
        }
    }
}
