package io.kybern.images.storage;

import io.kybern.images.oci.Descriptor;
import io.kybern.images.oci.Digest;
import io.kybern.images.oci.ImageName;
import io.kybern.images.oci.Manifest;
import io.kybern.images.oci.MediaTypes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Repositories of images on disk, the registry's and the {@code kybern image} command's shared state:
 * <pre>
 *   DIR/blobs/sha256/HEX                              every blob and manifest, content-addressed
 *   DIR/repositories/NAME/_layers/sha256/HEX          the blobs this repository may serve (empty files)
 *   DIR/repositories/NAME/_manifests/revisions/HEX    the manifests it holds; content: the media type
 *   DIR/repositories/NAME/_manifests/tags/TAG         a tag; content: the manifest digest
 * </pre>
 * Repository name parts never start with an underscore, so the {@code _} directories cannot clash with names.
 * Every change is a single file created or renamed atomically, so the server and the command may work on the
 * same directory at once.
 */
public final class ImageStore {

    private final Path root;
    private final Path repositories;
    private final BlobStore blobs;

    public ImageStore(Path root) throws IOException {
        this.root = Files.createDirectories(root);
        this.repositories = Files.createDirectories(root.resolve("repositories"));
        this.blobs = new BlobStore(root);
    }

    /** The images directory of a data directory ({@code DIR/images}). */
    public static ImageStore inDataDir(Path dataDir) throws IOException {
        return new ImageStore(dataDir.resolve("images"));
    }

    public Path root() {
        return root;
    }

    public BlobStore blobs() {
        return blobs;
    }

    private Path repository(String name) {
        if (!ImageName.isValidRepository(name)) {
            throw new IllegalArgumentException("invalid repository name: " + name);
        }
        return repositories.resolve(name);
    }

    public boolean repositoryExists(String name) {
        return Files.isDirectory(repository(name).resolve("_manifests"));
    }

    /** Lets a repository serve a stored blob (after an upload, a mount, an import). */
    public void linkBlob(String name, Digest digest) throws IOException {
        Path link = repository(name).resolve("_layers").resolve("sha256").resolve(digest.hex());
        if (!Files.exists(link)) {
            Files.createDirectories(link.getParent());
            writeAtomically(link, new byte[0]);
        }
    }

    public boolean hasBlob(String name, Digest digest) {
        return Files.exists(repository(name).resolve("_layers").resolve("sha256").resolve(digest.hex()))
                && blobs.exists(digest);
    }

    public boolean unlinkBlob(String name, Digest digest) throws IOException {
        return Files.deleteIfExists(repository(name).resolve("_layers").resolve("sha256").resolve(digest.hex()));
    }

    /**
     * Stores a manifest in a repository, after checking that everything it refers to is there: an image
     * manifest's config and layers as blobs of the repository, an index's manifests as manifests of it.
     *
     * @param tag the tag to point at it, or null
     * @throws MissingContentException naming the first missing piece
     */
    public Digest putManifest(String name, Manifest manifest, String tag) throws IOException {
        for (Descriptor blob : manifest.blobs()) {
            if (!hasBlob(name, blob.digest())) {
                throw new MissingContentException(blob.digest(), false);
            }
        }
        for (Descriptor child : manifest.manifests()) {
            if (manifestType(name, child.digest()).isEmpty()) {
                throw new MissingContentException(child.digest(), true);
            }
        }
        Digest digest = blobs.put(manifest.bytes());
        Path revision = repository(name).resolve("_manifests").resolve("revisions").resolve(digest.hex());
        Files.createDirectories(revision.getParent());
        writeAtomically(revision, manifest.mediaType().getBytes(StandardCharsets.UTF_8));
        if (tag != null) {
            tag(name, tag, digest);
        }
        return digest;
    }

    public void tag(String name, String tag, Digest digest) throws IOException {
        if (!ImageName.isValidTag(tag)) {
            throw new IllegalArgumentException("invalid tag: " + tag);
        }
        Path file = repository(name).resolve("_manifests").resolve("tags").resolve(tag);
        Files.createDirectories(file.getParent());
        writeAtomically(file, digest.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** The digest a tag points at. */
    public Optional<Digest> resolveTag(String name, String tag) {
        if (!ImageName.isValidTag(tag)) {
            return Optional.empty();
        }
        try {
            String text = Files.readString(repository(name).resolve("_manifests").resolve("tags").resolve(tag));
            return Optional.of(Digest.parse(text.trim()));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A tag or a digest, resolved to a manifest digest this repository holds. */
    public Optional<Digest> resolve(String name, String reference) {
        Optional<Digest> digest = Digest.isDigest(reference) ? Optional.of(Digest.parse(reference))
                : resolveTag(name, reference);
        return digest.filter(d -> manifestType(name, d).isPresent());
    }

    /** The media type of a manifest this repository holds, or empty. */
    public Optional<String> manifestType(String name, Digest digest) {
        try {
            Path revision = repository(name).resolve("_manifests").resolve("revisions").resolve(digest.hex());
            String type = Files.readString(revision).trim();
            return blobs.exists(digest) ? Optional.of(type) : Optional.empty();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Manifest manifest(String name, Digest digest) throws IOException {
        String type = manifestType(name, digest).orElseThrow(() -> new MissingContentException(digest, true));
        return Manifest.parse(blobs.read(digest), type);
    }

    /** For an image name, its image manifest: an index is resolved to its linux/amd64 entry. */
    public Optional<Manifest> imageManifest(ImageName image) throws IOException {
        Optional<Digest> digest = resolve(image.repository(), image.reference());
        if (digest.isEmpty()) {
            return Optional.empty();
        }
        Manifest manifest = manifest(image.repository(), digest.get());
        if (manifest.isIndex()) {
            for (Descriptor child : manifest.manifests()) {
                if (child.platform() == null || Descriptor.Platform.LINUX_AMD64.equals(child.platform())) {
                    if (MediaTypes.isImageManifest(child.mediaType())) {
                        return Optional.of(manifest(image.repository(), child.digest()));
                    }
                }
            }
            return Optional.empty();
        }
        return Optional.of(manifest);
    }

    public List<String> tags(String name) throws IOException {
        return list(repository(name).resolve("_manifests").resolve("tags"));
    }

    /** Removes a tag; the manifest stays reachable by digest. */
    public boolean untag(String name, String tag) throws IOException {
        if (!ImageName.isValidTag(tag)) {
            return false;
        }
        return Files.deleteIfExists(repository(name).resolve("_manifests").resolve("tags").resolve(tag));
    }

    /** Removes a manifest and every tag that points at it. */
    public boolean deleteManifest(String name, Digest digest) throws IOException {
        for (String tag : tags(name)) {
            if (resolveTag(name, tag).filter(digest::equals).isPresent()) {
                untag(name, tag);
            }
        }
        return Files.deleteIfExists(repository(name).resolve("_manifests").resolve("revisions").resolve(digest.hex()));
    }

    /** Every repository holding manifests, sorted as the catalog lists them. */
    public List<String> repositories() throws IOException {
        List<String> names = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(repositories)) {
            walk.filter(p -> p.getFileName().toString().equals("_manifests") && Files.isDirectory(p))
                    .forEach(p -> names.add(repositories.relativize(p.getParent()).toString()
                            .replace(p.getFileSystem().getSeparator(), "/")));
        }
        names.sort(null);
        return names;
    }

    private static List<String> list(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList();
        }
    }

    private void writeAtomically(Path target, byte[] content) throws IOException {
        Path temp = blobs.newTempFile();
        try {
            Files.write(temp, content);
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** A manifest or blob that is not in the repository. */
    public static final class MissingContentException extends IOException {
        private final Digest digest;
        private final boolean manifest;

        public MissingContentException(Digest digest, boolean manifest) {
            super((manifest ? "manifest " : "blob ") + digest + " is not in the repository");
            this.digest = digest;
            this.manifest = manifest;
        }

        public Digest digest() {
            return digest;
        }

        public boolean isManifest() {
            return manifest;
        }
    }
}
