package io.kybern.images.storage;

import io.kybern.images.oci.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.UUID;

/**
 * Content-addressed blobs on disk, {@code blobs/sha256/<hex>}. A blob is written to a temporary file, its sha256
 * checked against the digest it claims, and only then renamed into place, so a reader never sees a partial or
 * wrong blob and a failed write leaves nothing behind. Safe for concurrent writers and for several processes
 * (the server and the {@code kybern image} command) sharing the directory: the rename is atomic and two writers
 * of the same digest write the same bytes.
 */
public final class BlobStore {

    private final Path blobs;
    private final Path temp;

    public BlobStore(Path root) throws IOException {
        this.blobs = Files.createDirectories(root.resolve("blobs").resolve("sha256"));
        this.temp = Files.createDirectories(root.resolve("tmp"));
    }

    public Path path(Digest digest) {
        return blobs.resolve(digest.hex());
    }

    public boolean exists(Digest digest) {
        return Files.isRegularFile(path(digest));
    }

    /** The blob's size, or empty when it is not stored. */
    public Optional<Long> size(Digest digest) {
        try {
            return Optional.of(Files.size(path(digest)));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    public InputStream open(Digest digest) throws IOException {
        return Files.newInputStream(path(digest));
    }

    public byte[] read(Digest digest) throws IOException {
        return Files.readAllBytes(path(digest));
    }

    /** A fresh temporary file in the same file system as the blobs, for content still being received. */
    public Path newTempFile() throws IOException {
        return Files.createFile(temp.resolve(UUID.randomUUID().toString()));
    }

    /**
     * Stores content whose digest is known in advance.
     *
     * @throws DigestMismatchException when the content has another digest; nothing is stored
     */
    public Digest put(InputStream content, Digest expected) throws IOException {
        Path file = newTempFile();
        try {
            Digest actual;
            try (OutputStream out = Files.newOutputStream(file)) {
                MessageDigest sha = Digest.sha256();
                content.transferTo(new DigestOutputStream(out, sha));
                actual = Digest.of(sha);
            }
            return adopt(file, expected == null ? actual : expected, actual);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Stores content computed in memory (manifests, configs), keyed by its own digest. */
    public Digest put(byte[] content) throws IOException {
        return put(new java.io.ByteArrayInputStream(content), null);
    }

    /**
     * Moves a finished temporary file into place after checking its digest. The file is gone afterwards either
     * way.
     *
     * @throws DigestMismatchException when its digest is not {@code expected}
     */
    public Digest adopt(Path file, Digest expected) throws IOException {
        Digest actual;
        try (InputStream in = Files.newInputStream(file)) {
            actual = Digest.of(in);
        }
        try {
            return adopt(file, expected, actual);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private Digest adopt(Path file, Digest expected, Digest actual) throws IOException {
        if (!actual.equals(expected)) {
            throw new DigestMismatchException(expected, actual);
        }
        Path target = path(actual);
        if (!Files.exists(target)) {
            try {
                Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException raced) {
                // Another writer stored the same content first: the same bytes are already in place.
            }
        }
        return actual;
    }

    public boolean delete(Digest digest) throws IOException {
        return Files.deleteIfExists(path(digest));
    }

    /** Content whose sha256 is not the digest it was sent with. */
    public static final class DigestMismatchException extends IOException {
        private final Digest expected;
        private final Digest actual;

        public DigestMismatchException(Digest expected, Digest actual) {
            super("digest mismatch: expected " + expected + ", content is " + actual);
            this.expected = expected;
            this.actual = actual;
        }

        public Digest expected() {
            return expected;
        }

        public Digest actual() {
            return actual;
        }
    }
}
