package io.kybern.images.archive;

import io.kybern.images.Progress;
import io.kybern.images.oci.Descriptor;
import io.kybern.images.oci.Digest;
import io.kybern.images.oci.ImageName;
import io.kybern.images.oci.Manifest;
import io.kybern.images.oci.MediaTypes;
import io.kybern.images.storage.BlobStore;
import io.kybern.images.storage.ImageStore;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Imports image archives into the {@link ImageStore}, as {@code docker load} and {@code ctr images import} do:
 * OCI image layouts ({@code oci-layout}, {@code index.json}, {@code blobs/}) and {@code docker save} archives
 * ({@code manifest.json}, a config and a tar per layer), either one plain or gzipped. Every blob's digest is
 * checked, and a docker layer's against the diff id its config declares; an archive with any mismatch or a
 * missing piece is refused and tags nothing (blobs already verified may stay, unreferenced).
 */
public final class ArchiveImporter {

    private static final Logger log = LoggerFactory.getLogger(ArchiveImporter.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** Where containerd (ctr images export) and nerdctl keep the full image name in an OCI index. */
    static final String CONTAINERD_NAME = "io.containerd.image.name";
    static final String REF_NAME = "org.opencontainers.image.ref.name";

    private final ImageStore store;
    private final Progress progress;

    public ArchiveImporter(ImageStore store, Progress progress) {
        this.store = store;
        this.progress = progress;
    }

    /** An archive that is not a readable OCI layout or docker save archive. */
    public static final class InvalidArchiveException extends IOException {
        public InvalidArchiveException(String message) {
            super(message);
        }

        public InvalidArchiveException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Imports every image of the archive and returns their names. */
    public List<ImageName> importArchive(Path archive) throws IOException {
        Path work = Files.createTempDirectory(store.root().resolve("tmp"), "import-").toRealPath();
        try {
            unpack(archive, work);
            List<ImageName> names;
            if (Files.isRegularFile(work.resolve("index.json"))) {
                names = importOciLayout(work);
            } else if (Files.isRegularFile(work.resolve("manifest.json"))) {
                names = importDockerSave(work);
            } else {
                throw new InvalidArchiveException(archive.getFileName()
                        + " is neither an OCI image layout (index.json) nor a docker save archive (manifest.json)");
            }
            for (ImageName name : names) {
                progress.report("Loaded image", name.familiar());
                log.info("image imported name={} archive={}", name, archive.getFileName());
            }
            return names;
        } finally {
            deleteTree(work);
        }
    }

    private static void unpack(Path archive, Path work) throws IOException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(archive), 64 * 1024)) {
            raw.mark(2);
            boolean gzip = raw.read() == 0x1f && raw.read() == 0x8b;
            raw.reset();
            InputStream in = gzip ? new GzipCompressorInputStream(raw, true) : raw;
            TarArchiveInputStream tar = new TarArchiveInputStream(in);
            int entries = 0;
            for (TarArchiveEntry entry; (entry = tar.getNextEntry()) != null; ) {
                entries++;
                String name = entry.getName();
                while (name.startsWith("./") || name.startsWith("/")) {
                    name = name.substring(name.startsWith("./") ? 2 : 1);
                }
                if (name.isEmpty() || name.equals(".")) {
                    continue;
                }
                Path target = work.resolve(name).normalize();
                if (!target.startsWith(work) || target.equals(work)) {
                    throw new InvalidArchiveException("archive entry outside the archive: " + entry.getName());
                }
                Files.createDirectories(target.getParent());
                if (!target.getParent().toRealPath().startsWith(work)) {
                    throw new InvalidArchiveException("archive entry through a link: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(target);
                } else if (entry.isSymbolicLink()) {
                    // docker save links each legacy layer directory to its blob; kept if it stays inside.
                    Files.deleteIfExists(target);
                    Files.createSymbolicLink(target, Path.of(entry.getLinkName()));
                } else if (entry.isFile()) {
                    Files.deleteIfExists(target);
                    Files.copy(tar, target);
                }
            }
            if (entries == 0) {
                throw new InvalidArchiveException(archive.getFileName() + " is not a tar archive (no entries)");
            }
        } catch (InvalidArchiveException e) {
            throw e;
        } catch (IOException | IllegalArgumentException e) {
            throw new InvalidArchiveException(archive.getFileName() + " is not a readable tar archive: "
                    + e.getMessage(), e);
        }
    }

    /** A file of the unpacked archive, refusing paths (or links) that lead outside it. */
    private static Path file(Path work, String name) throws IOException {
        Path path = work.resolve(name).normalize();
        if (!path.startsWith(work) || !Files.exists(path)) {
            throw new InvalidArchiveException("archive lacks " + name);
        }
        Path real = path.toRealPath();
        if (!real.startsWith(work) || !Files.isRegularFile(real)) {
            throw new InvalidArchiveException("archive entry " + name + " is not a file inside the archive");
        }
        return real;
    }

    private static JsonNode json(Path file) throws IOException {
        try {
            return JSON.readTree(Files.readAllBytes(file));
        } catch (JacksonException e) {
            throw new InvalidArchiveException(file.getFileName() + " is not valid JSON: " + e.getOriginalMessage());
        }
    }

    private Digest storeBlob(Path file, Digest expected) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return store.blobs().put(in, expected);
        } catch (BlobStore.DigestMismatchException e) {
            throw new InvalidArchiveException("corrupt archive: " + e.getMessage());
        }
    }

    private List<ImageName> importOciLayout(Path work) throws IOException {
        JsonNode index = json(file(work, "index.json"));
        Manifest parsed;
        try {
            parsed = Manifest.parse(JSON.writeValueAsBytes(index), MediaTypes.OCI_INDEX);
        } catch (Manifest.InvalidManifestException e) {
            throw new InvalidArchiveException("index.json: " + e.getMessage());
        }
        if (!parsed.isIndex()) {
            throw new InvalidArchiveException("index.json is not an image index");
        }
        List<ImageName> names = new ArrayList<>();
        for (Descriptor entry : parsed.manifests()) {
            ImageName name = nameOf(entry);
            store(work, name.repository(), entry, 0);
            store.tag(name.repository(), name.tag(), entry.digest());
            names.add(name);
        }
        if (names.isEmpty()) {
            throw new InvalidArchiveException("index.json lists no images");
        }
        return names;
    }

    private static ImageName nameOf(Descriptor entry) throws InvalidArchiveException {
        String full = entry.annotations().get(CONTAINERD_NAME);
        String ref = entry.annotations().get(REF_NAME);
        String text = full != null ? full : ref != null && (ref.contains("/") || ref.contains(":")) ? ref : null;
        if (text == null) {
            throw new InvalidArchiveException("the image " + entry.digest() + " in index.json has no name ("
                    + CONTAINERD_NAME + " or a full " + REF_NAME + " annotation)");
        }
        try {
            ImageName name = ImageName.parse(text);
            if (name.tag() == null) {
                throw new InvalidArchiveException("image name without a tag in index.json: " + text);
            }
            return new ImageName(null, name.repository(), name.tag(), null);
        } catch (IllegalArgumentException e) {
            throw new InvalidArchiveException("invalid image name in index.json: " + e.getMessage());
        }
    }

    /** Stores a manifest of the layout with everything it refers to, children first. */
    private void store(Path work, String repository, Descriptor descriptor, int depth) throws IOException {
        if (depth > 4) {
            throw new InvalidArchiveException("indexes nested too deep at " + descriptor.digest());
        }
        Path manifestFile = file(work, "blobs/sha256/" + descriptor.digest().hex());
        Manifest manifest;
        try {
            manifest = Manifest.parse(Files.readAllBytes(manifestFile), descriptor.mediaType());
        } catch (Manifest.InvalidManifestException e) {
            throw new InvalidArchiveException("manifest " + descriptor.digest() + ": " + e.getMessage());
        }
        if (!manifest.digest().equals(descriptor.digest())) {
            throw new InvalidArchiveException("corrupt archive: manifest " + descriptor.digest() + " has digest "
                    + manifest.digest());
        }
        for (Descriptor child : manifest.manifests()) {
            if (child.platform() != null && !Descriptor.Platform.LINUX_AMD64.equals(child.platform())
                    && !Files.exists(work.resolve("blobs/sha256/" + child.digest().hex()))) {
                // Multi-platform archives often hold only this machine's image: keep the index honest by
                // refusing, unless the other platforms' manifests are present.
                throw new InvalidArchiveException("archive lacks the " + child.platform() + " image "
                        + child.digest() + " its index lists");
            }
            store(work, repository, child, depth + 1);
        }
        for (Descriptor blob : manifest.blobs()) {
            storeBlob(file(work, "blobs/sha256/" + blob.digest().hex()), blob.digest());
            store.linkBlob(repository, blob.digest());
            progress.report(blob.digest().shortHex(), "Loaded " + blob.size() + " bytes");
        }
        try {
            store.putManifest(repository, manifest, null);
        } catch (ImageStore.MissingContentException e) {
            throw new InvalidArchiveException("archive lacks " + e.getMessage());
        }
    }

    private List<ImageName> importDockerSave(Path work) throws IOException {
        JsonNode manifests = json(file(work, "manifest.json"));
        if (!manifests.isArray() || manifests.isEmpty()) {
            throw new InvalidArchiveException("manifest.json must be a non-empty array");
        }
        List<ImageName> names = new ArrayList<>();
        for (JsonNode image : manifests) {
            if (!image.path("Config").isString() || !image.path("Layers").isArray()) {
                throw new InvalidArchiveException("manifest.json entries need Config and Layers");
            }
            Path configFile = file(work, image.path("Config").asString());
            JsonNode config = json(configFile);
            JsonNode diffIds = config.path("rootfs").path("diff_ids");
            if (!diffIds.isArray() || diffIds.size() != image.path("Layers").size()) {
                throw new InvalidArchiveException("config " + image.path("Config").asString()
                        + " lists " + diffIds.size() + " diff ids for " + image.path("Layers").size() + " layers");
            }
            Digest configDigest = storeBlob(configFile, null);
            List<Descriptor> layers = new ArrayList<>();
            for (int i = 0; i < diffIds.size(); i++) {
                Path layerFile = file(work, image.path("Layers").get(i).asString());
                Digest diffId = Digest.parse(diffIds.get(i).asString());
                layers.add(dockerLayer(layerFile, diffId));
            }
            ObjectNode manifest = JSON.createObjectNode().put("schemaVersion", 2)
                    .put("mediaType", MediaTypes.OCI_MANIFEST);
            manifest.set("config", descriptor(MediaTypes.OCI_CONFIG, configDigest, Files.size(configFile)));
            ArrayNode layerArray = manifest.putArray("layers");
            layers.forEach(l -> layerArray.add(descriptor(l.mediaType(), l.digest(), l.size())));
            Manifest built = Manifest.parse(JSON.writeValueAsBytes(manifest), MediaTypes.OCI_MANIFEST);
            List<ImageName> tags = new ArrayList<>();
            for (JsonNode tag : image.path("RepoTags")) {
                try {
                    tags.add(ImageName.parse(tag.asString()));
                } catch (IllegalArgumentException e) {
                    throw new InvalidArchiveException("invalid RepoTags entry: " + e.getMessage());
                }
            }
            if (tags.isEmpty()) {
                throw new InvalidArchiveException("image " + configDigest.shortHex() + " has no RepoTags; "
                        + "kybern keeps images by name");
            }
            for (ImageName name : tags) {
                store.linkBlob(name.repository(), configDigest);
                for (Descriptor layer : layers) {
                    store.linkBlob(name.repository(), layer.digest());
                }
                store.putManifest(name.repository(), built, name.tag());
                names.add(new ImageName(null, name.repository(), name.tag(), null));
            }
        }
        return names;
    }

    /** Stores a docker layer tar as it is (plain or gzipped) after checking its content against its diff id. */
    private Descriptor dockerLayer(Path layerFile, Digest diffId) throws IOException {
        boolean gzip;
        try (InputStream in = Files.newInputStream(layerFile)) {
            gzip = in.read() == 0x1f && in.read() == 0x8b;
        }
        Digest content;
        try (InputStream in = gzip ? new GzipCompressorInputStream(Files.newInputStream(layerFile), true)
                : Files.newInputStream(layerFile)) {
            content = Digest.of(in);
        }
        if (!content.equals(diffId)) {
            throw new InvalidArchiveException("corrupt archive: layer " + layerFile.getFileName()
                    + " has content " + content + " but its config says " + diffId);
        }
        Digest digest = storeBlob(layerFile, null);
        progress.report(digest.shortHex(), "Loaded " + Files.size(layerFile) + " bytes");
        return new Descriptor(gzip ? MediaTypes.OCI_LAYER_GZIP : MediaTypes.OCI_LAYER, digest, Files.size(layerFile));
    }

    private static ObjectNode descriptor(String mediaType, Digest digest, long size) {
        return JSON.createObjectNode().put("mediaType", mediaType).put("digest", digest.toString()).put("size", size);
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
