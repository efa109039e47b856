package io.kybern.images.build;

import io.kybern.images.oci.Descriptor;
import io.kybern.images.oci.Digest;
import io.kybern.images.oci.MediaTypes;
import io.kybern.images.storage.BlobStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Writes one image layer, a gzipped tar, straight into the blob store. Reproducible: every entry has the same
 * fixed mtime, no user or group names, and the caller adds entries in a fixed order; the JDK's gzip header has
 * no timestamp or file name. The same files therefore always give the same layer digest.
 */
public final class LayerWriter implements AutoCloseable {

    /** The mtime of every entry: the epoch, as reproducible-builds' SOURCE_DATE_EPOCH=0 would give. */
    public static final FileTime FIXED_TIME = FileTime.fromMillis(0);

    private final BlobStore blobs;
    private final Path file;
    private final MessageDigest compressed = Digest.sha256();
    private final MessageDigest uncompressed = Digest.sha256();
    private final OutputStream fileOut;
    private final TarArchiveOutputStream tar;
    private boolean finished;

    public LayerWriter(BlobStore blobs) throws IOException {
        this.blobs = blobs;
        this.file = blobs.newTempFile();
        this.fileOut = Files.newOutputStream(file);
        GZIPOutputStream gzip = new GZIPOutputStream(new DigestOutputStream(fileOut, compressed), 64 * 1024);
        this.tar = new TarArchiveOutputStream(new DigestOutputStream(gzip, uncompressed), "UTF-8");
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    }

    /** A directory, {@code path} relative to the image root without a leading slash. */
    public void directory(String path, int mode, int uid, int gid) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(path.endsWith("/") ? path : path + "/");
        finish(entry, mode, uid, gid);
        tar.putArchiveEntry(entry);
        tar.closeArchiveEntry();
    }

    public void file(String path, int mode, int uid, int gid, long size, InputStream content) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(path);
        entry.setSize(size);
        finish(entry, mode, uid, gid);
        tar.putArchiveEntry(entry);
        long copied = content.transferTo(tar);
        if (copied != size) {
            throw new IOException(path + " changed while it was copied: " + copied + " bytes, expected " + size);
        }
        tar.closeArchiveEntry();
    }

    public void symlink(String path, String target, int uid, int gid) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(path, TarArchiveEntry.LF_SYMLINK);
        entry.setLinkName(target);
        finish(entry, 0777, uid, gid);
        tar.putArchiveEntry(entry);
        tar.closeArchiveEntry();
    }

    private static void finish(TarArchiveEntry entry, int mode, int uid, int gid) {
        entry.setMode((entry.isDirectory() ? TarArchiveEntry.DEFAULT_DIR_MODE & ~07777
                : entry.isSymbolicLink() ? 0120000 : 0100000) | (mode & 07777));
        entry.setLastModifiedTime(FIXED_TIME);
        entry.setUserId(uid);
        entry.setGroupId(gid);
        entry.setUserName("");
        entry.setGroupName("");
    }

    /** Ends the layer and stores it; returns its descriptor and, in {@link Layer}, its diff id. */
    public Layer finish() throws IOException {
        finished = true;
        tar.finish();
        tar.close();
        Digest digest = Digest.of(compressed);
        Digest diffId = Digest.of(uncompressed);
        long size = Files.size(file);
        blobs.adopt(file, digest);
        return new Layer(new Descriptor(MediaTypes.OCI_LAYER_GZIP, digest, size), diffId);
    }

    @Override
    public void close() throws IOException {
        if (!finished) {
            tar.close();
            Files.deleteIfExists(file);
        }
        fileOut.close();
    }

    /** A stored layer: the descriptor a manifest lists, and the digest of its uncompressed tar for the config. */
    public record Layer(Descriptor descriptor, Digest diffId) {
    }
}
