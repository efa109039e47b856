package io.kybern.images.archive;

import io.kybern.images.Progress;
import io.kybern.images.build.LayerWriter;
import io.kybern.images.oci.Descriptor;
import io.kybern.images.oci.Digest;
import io.kybern.images.oci.ImageName;
import io.kybern.images.oci.Manifest;
import io.kybern.images.storage.ImageStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Writes images of the {@link ImageStore} as an OCI image layout tar, the format {@code ctr images import},
 * {@code docker load} (25+) and {@code kybern image import} read. Each image's entry in {@code index.json}
 * carries its full name in both the containerd and the OCI annotation.
 */
public final class ArchiveExporter {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final ImageStore store;
    private final Progress progress;

    public ArchiveExporter(ImageStore store, Progress progress) {
        this.store = store;
        this.progress = progress;
    }

    public void export(List<ImageName> images, Path target) throws IOException {
        TreeSet<Digest> blobs = new TreeSet<>();
        ObjectNode index = JSON.createObjectNode().put("schemaVersion", 2)
                .put("mediaType", io.kybern.images.oci.MediaTypes.OCI_INDEX);
        ArrayNode manifests = index.putArray("manifests");
        for (ImageName image : images) {
            Digest digest = store.resolve(image.repository(), image.reference()).orElseThrow(
                    () -> new IOException("no such image: " + image.familiar()));
            Manifest manifest = store.manifest(image.repository(), digest);
            collect(image.repository(), manifest, blobs);
            String fullName = "docker.io/" + image.repository() + ":" + image.reference();
            ObjectNode entry = manifests.addObject().put("mediaType", manifest.mediaType())
                    .put("digest", digest.toString()).put("size", manifest.bytes().length);
            entry.putObject("annotations").put(ArchiveImporter.CONTAINERD_NAME, fullName)
                    .put(ArchiveImporter.REF_NAME, fullName);
        }
        Path temp = target.resolveSibling(target.getFileName() + ".tmp");
        try (OutputStream out = Files.newOutputStream(temp);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(out, "UTF-8")) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            bytes(tar, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8));
            directory(tar, "blobs/");
            directory(tar, "blobs/sha256/");
            for (Digest blob : blobs) {
                TarArchiveEntry entry = entry("blobs/sha256/" + blob.hex());
                entry.setSize(Files.size(store.blobs().path(blob)));
                tar.putArchiveEntry(entry);
                try (InputStream in = store.blobs().open(blob)) {
                    in.transferTo(tar);
                }
                tar.closeArchiveEntry();
                progress.report(blob.shortHex(), "Exported");
            }
            bytes(tar, "index.json", JSON.writeValueAsBytes(index));
        }
        Files.move(temp, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    private void collect(String repository, Manifest manifest, TreeSet<Digest> blobs) throws IOException {
        blobs.add(manifest.digest());
        for (Descriptor d : manifest.blobs()) {
            blobs.add(d.digest());
        }
        for (Descriptor child : manifest.manifests()) {
            if (store.manifestType(repository, child.digest()).isPresent()) {
                collect(repository, store.manifest(repository, child.digest()), blobs);
            }
        }
    }

    private static TarArchiveEntry entry(String name) {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setLastModifiedTime(LayerWriter.FIXED_TIME);
        entry.setMode(0100644);
        return entry;
    }

    private static void directory(TarArchiveOutputStream tar, String name) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setLastModifiedTime(LayerWriter.FIXED_TIME);
        entry.setMode(040755);
        tar.putArchiveEntry(entry);
        tar.closeArchiveEntry();
    }

    private static void bytes(TarArchiveOutputStream tar, String name, byte[] content) throws IOException {
        TarArchiveEntry entry = entry(name);
        entry.setSize(content.length);
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
    }
}
