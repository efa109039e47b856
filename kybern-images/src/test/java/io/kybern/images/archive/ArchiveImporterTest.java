package io.kybern.images.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kybern.images.Progress;
import io.kybern.images.build.ImageBuilder;
import io.kybern.images.oci.Digest;
import io.kybern.images.oci.ImageName;
import io.kybern.images.oci.Manifest;
import io.kybern.images.storage.ImageStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArchiveImporterTest {

    @TempDir
    Path dir;
    private ImageStore store;

    @BeforeEach
    void setUp() throws IOException {
        store = new ImageStore(dir.resolve("store"));
    }

    private static byte[] tar(Map<String, byte[]> files) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> file : files.entrySet()) {
                TarArchiveEntry entry = new TarArchiveEntry(file.getKey());
                entry.setSize(file.getValue().length);
                tar.putArchiveEntry(entry);
                tar.write(file.getValue());
                tar.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    private static byte[] gzip(byte[] content) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(bytes)) {
            out.write(content);
        }
        return bytes.toByteArray();
    }

    /** A docker save archive with one image of one layer; {@code diffId} is what its config claims. */
    private Path dockerSave(byte[] layer, Digest diffId, boolean gzipped) throws IOException {
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Cmd\":[\"/hello\"]},"
                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + diffId + "\"]}}").getBytes(StandardCharsets.UTF_8);
        String configName = Digest.of(config).hex() + ".json";
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put(configName, config);
        files.put("abc/layer.tar", layer);
        files.put("manifest.json", ("[{\"Config\":\"" + configName + "\",\"RepoTags\":[\"hello:1\",\"team/hello:latest\"],"
                + "\"Layers\":[\"abc/layer.tar\"]}]").getBytes(StandardCharsets.UTF_8));
        byte[] archive = tar(files);
        Path file = dir.resolve(gzipped ? "save.tar.gz" : "save.tar");
        Files.write(file, gzipped ? gzip(archive) : archive);
        return file;
    }

    @Test
    void importsADockerSaveArchivePlainOrGzipped() throws IOException {
        byte[] layer = tar(Map.of("hello", "hi\n".getBytes(StandardCharsets.UTF_8)));
        for (boolean gzipped : new boolean[] {false, true}) {
            List<ImageName> names = new ArchiveImporter(store, Progress.NONE)
                    .importArchive(dockerSave(layer, Digest.of(layer), gzipped));
            assertThat(names).extracting(ImageName::familiar).containsExactly("hello:1", "team/hello:latest");
            Manifest manifest = store.imageManifest(ImageName.parse("hello:1")).orElseThrow();
            assertThat(manifest.layers()).singleElement().satisfies(l -> {
                assertThat(l.digest()).isEqualTo(Digest.of(layer));
                assertThat(l.mediaType()).isEqualTo("application/vnd.oci.image.layer.v1.tar");
            });
            assertThat(store.hasBlob("team/hello", manifest.config().digest())).isTrue();
        }
    }

    @Test
    void refusesADockerLayerThatIsNotWhatItsConfigSays() throws IOException {
        byte[] layer = tar(Map.of("hello", "hi\n".getBytes(StandardCharsets.UTF_8)));
        Digest other = Digest.of("something else".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> new ArchiveImporter(store, Progress.NONE).importArchive(dockerSave(layer, other, false)))
                .isInstanceOf(ArchiveImporter.InvalidArchiveException.class)
                .hasMessageContaining("corrupt archive").hasMessageContaining(other.toString());
        assertThat(store.repositories()).as("nothing tagged").isEmpty();
    }

    @Test
    void roundTripsAnOciLayoutAndRefusesACorruptedBlob() throws IOException {
        Path context = Files.createDirectories(dir.resolve("ctx"));
        Files.writeString(context.resolve("f"), "content\n");
        ImageBuilder.Result built = new ImageBuilder(store, Progress.NONE)
                .build(context, "FROM scratch\nCOPY f /f\n", ImageName.parse("round/trip:7"));
        Path archive = dir.resolve("oci.tar");
        new ArchiveExporter(store, Progress.NONE).export(List.of(ImageName.parse("round/trip:7")), archive);

        ImageStore other = new ImageStore(dir.resolve("other"));
        assertThat(new ArchiveImporter(other, Progress.NONE).importArchive(archive))
                .extracting(ImageName::familiar).containsExactly("round/trip:7");
        assertThat(other.resolve("round/trip", "7")).hasValue(built.manifest());

        // The same archive with one byte of the layer changed.
        Path corrupt = dir.resolve("corrupt.tar.gz");
        Digest layer = store.imageManifest(ImageName.parse("round/trip:7")).orElseThrow().layers().getFirst().digest();
        Map<String, byte[]> files = new LinkedHashMap<>();
        try (InputStream in = Files.newInputStream(archive); TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                if (!e.isDirectory()) {
                    files.put(e.getName(), tar.readAllBytes());
                }
            }
        }
        byte[] blob = files.get("blobs/sha256/" + layer.hex());
        blob[blob.length / 2] ^= 1;
        Files.write(corrupt, gzip(tar(files)));
        ImageStore third = new ImageStore(dir.resolve("third"));
        assertThatThrownBy(() -> new ArchiveImporter(third, Progress.NONE).importArchive(corrupt))
                .isInstanceOf(ArchiveImporter.InvalidArchiveException.class)
                .hasMessageContaining("corrupt archive").hasMessageContaining(layer.toString());
        assertThat(third.repositories()).isEmpty();
    }

    @Test
    void refusesFilesThatAreNotImageArchives() throws IOException {
        ArchiveImporter importer = new ArchiveImporter(store, Progress.NONE);
        Path text = Files.writeString(dir.resolve("text.tar"), "hello, not a tar");
        assertThatThrownBy(() -> importer.importArchive(text)).isInstanceOf(ArchiveImporter.InvalidArchiveException.class)
                .hasMessageContaining("text.tar is not a");
        Path truncated = dir.resolve("truncated.tar.gz");
        byte[] whole = gzip(tar(Map.of("index.json", new byte[4000])));
        Files.write(truncated, java.util.Arrays.copyOf(whole, whole.length / 2));
        assertThatThrownBy(() -> importer.importArchive(truncated)).isInstanceOf(ArchiveImporter.InvalidArchiveException.class)
                .hasMessageContaining("not a readable tar archive");
        Path other = dir.resolve("other.tar");
        Files.write(other, tar(Map.of("readme.txt", new byte[] {1})));
        assertThatThrownBy(() -> importer.importArchive(other))
                .hasMessageContaining("neither an OCI image layout (index.json) nor a docker save archive");
        Path escape = dir.resolve("escape.tar");
        Files.write(escape, tar(Map.of("../../evil", new byte[] {1})));
        assertThatThrownBy(() -> importer.importArchive(escape)).hasMessageContaining("outside the archive");
        assertThat(Files.exists(dir.resolve("evil"))).isFalse();
        Path unnamed = dir.resolve("unnamed.tar");
        Files.write(unnamed, tar(Map.of("oci-layout", "{}".getBytes(StandardCharsets.UTF_8), "index.json",
                ("{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                        + "\"digest\":\"" + Digest.of(new byte[0]) + "\",\"size\":0}]}").getBytes(StandardCharsets.UTF_8))));
        assertThatThrownBy(() -> importer.importArchive(unnamed)).hasMessageContaining("has no name");
    }
}
