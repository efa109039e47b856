package io.kybern.images.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kybern.images.Progress;
import io.kybern.images.oci.Descriptor;
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
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class ImageBuilderTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path dir;
    private Path context;
    private ImageStore store;
    private final List<String> progress = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        context = Files.createDirectories(dir.resolve("context"));
        store = new ImageStore(dir.resolve("store"));
        Files.writeString(context.resolve("app.sh"), "#!/bin/sh\necho app\n");
        Files.setPosixFilePermissions(context.resolve("app.sh"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectories(context.resolve("conf/sub"));
        Files.writeString(context.resolve("conf/a.conf"), "a=1\n");
        Files.writeString(context.resolve("conf/sub/b.conf"), "b=2\n");
    }

    private ImageBuilder.Result build(String dockerfile, String name) throws IOException {
        Progress recording = (id, status) -> progress.add(id + ": " + status);
        return new ImageBuilder(store, recording).build(context, dockerfile, ImageName.parse(name));
    }

    private Manifest manifest(ImageBuilder.Result result) throws IOException {
        return store.manifest(result.name().repository(), result.manifest());
    }

    private JsonNode config(ImageBuilder.Result result) throws IOException {
        return JSON.readTree(store.blobs().read(result.config()));
    }

    /** A layer's entries: name to (mode, uid, content or link target). */
    private Map<String, String> entries(Descriptor layer) throws IOException {
        Map<String, String> entries = new LinkedHashMap<>();
        try (InputStream in = new GzipCompressorInputStream(store.blobs().open(layer.digest()));
             TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                assertThat(e.getLastModifiedTime().toMillis()).as("fixed mtime of " + e.getName()).isZero();
                String what = e.isSymbolicLink() ? "-> " + e.getLinkName()
                        : e.isDirectory() ? "dir" : new String(tar.readAllBytes(), StandardCharsets.UTF_8);
                entries.put(e.getName(), Integer.toOctalString(e.getMode() & 07777) + " " + e.getLongUserId() + ":"
                        + e.getLongGroupId() + " " + what);
            }
        }
        return entries;
    }

    @Test
    void buildsLayersAndConfigFromTheInstructions() throws IOException {
        ImageBuilder.Result result = build("""
                FROM scratch
                ENV APP_HOME=/opt/app
                WORKDIR $APP_HOME
                COPY app.sh ./
                COPY --chown=1000:2000 conf /etc/app/
                USER 1000
                EXPOSE 8080 53/udp
                LABEL org.example.team="platform team" tier=web
                ENTRYPOINT ["/opt/app/app.sh"]
                CMD --verbose
                """, "example/app:1.0");

        Manifest manifest = manifest(result);
        assertThat(manifest.mediaType()).isEqualTo("application/vnd.oci.image.manifest.v1+json");
        assertThat(manifest.layers()).hasSize(2)
                .allSatisfy(l -> assertThat(l.mediaType()).isEqualTo("application/vnd.oci.image.layer.v1.tar+gzip"));
        assertThat(entries(manifest.layers().get(0))).containsExactly(
                Map.entry("opt/", "755 0:0 dir"), Map.entry("opt/app/", "755 0:0 dir"),
                Map.entry("opt/app/app.sh", "755 0:0 #!/bin/sh\necho app\n"));
        assertThat(entries(manifest.layers().get(1))).containsExactly(
                Map.entry("etc/", "755 0:0 dir"), Map.entry("etc/app/", "755 1000:2000 dir"),
                Map.entry("etc/app/a.conf", "644 1000:2000 a=1\n"), Map.entry("etc/app/sub/", "755 1000:2000 dir"),
                Map.entry("etc/app/sub/b.conf", "644 1000:2000 b=2\n"));

        JsonNode config = config(result);
        assertThat(config.path("architecture").asString()).isEqualTo("amd64");
        assertThat(config.path("os").asString()).isEqualTo("linux");
        JsonNode run = config.path("config");
        assertThat(run.path("Env").toString()).isEqualTo("[\"APP_HOME=/opt/app\"]");
        assertThat(run.path("WorkingDir").asString()).isEqualTo("/opt/app");
        assertThat(run.path("User").asString()).isEqualTo("1000");
        assertThat(run.path("ExposedPorts").toString()).isEqualTo("{\"8080/tcp\":{},\"53/udp\":{}}");
        assertThat(run.path("Labels").toString()).isEqualTo("{\"org.example.team\":\"platform team\",\"tier\":\"web\"}");
        assertThat(run.path("Entrypoint").toString()).isEqualTo("[\"/opt/app/app.sh\"]");
        assertThat(run.path("Cmd").toString()).isEqualTo("[\"/bin/sh\",\"-c\",\"--verbose\"]");
        List<String> diffIds = new ArrayList<>();
        config.path("rootfs").path("diff_ids").forEach(d -> diffIds.add(d.asString()));
        assertThat(diffIds).hasSize(2);
        for (int i = 0; i < 2; i++) {
            try (InputStream in = new GzipCompressorInputStream(store.blobs().open(manifest.layers().get(i).digest()))) {
                assertThat(Digest.of(in).toString()).as("diff id of layer " + i).isEqualTo(diffIds.get(i));
            }
        }
        assertThat(config.path("history")).hasSize(9);
        assertThat(config.path("history").get(2).path("created_by").asString()).startsWith("COPY app.sh ./");
        assertThat(config.path("history").get(2).has("empty_layer")).isFalse();
        assertThat(config.path("history").get(0).path("empty_layer").asBoolean()).isTrue();
        assertThat(progress).anyMatch(line -> line.endsWith("layer written size=" + manifest.layers().get(0).size()));
    }

    @Test
    void theSameInputGivesTheSameDigests() throws IOException {
        String dockerfile = "FROM scratch\nCOPY . /app/\nCMD [\"/app/app.sh\"]\n";
        ImageBuilder.Result first = build(dockerfile, "same:1");
        Files.setLastModifiedTime(context.resolve("app.sh"), java.nio.file.attribute.FileTime.fromMillis(123456789));
        ImageBuilder.Result second = build(dockerfile, "same:2");
        assertThat(second.manifest()).isEqualTo(first.manifest());
        assertThat(second.config()).isEqualTo(first.config());

        Files.writeString(context.resolve("app.sh"), "#!/bin/sh\necho changed\n");
        assertThat(build(dockerfile, "same:3").manifest()).isNotEqualTo(first.manifest());
    }

    @Test
    void buildsOnALocalImageAndCopiesFromEarlierStages() throws IOException {
        build("FROM scratch\nCOPY app.sh /bin/app\nENV PATH=/bin\nCMD [\"app\"]\n", "base:1");
        ImageBuilder.Result result = build("""
                FROM base:1 AS builder
                COPY conf /build/conf
                FROM base:1
                COPY --from=builder /build/conf/sub/b.conf /etc/b.conf
                ENTRYPOINT ["/bin/app"]
                """, "derived:1");

        Manifest manifest = manifest(result);
        Manifest base = store.imageManifest(ImageName.parse("base:1")).orElseThrow();
        assertThat(manifest.layers()).hasSize(2);
        assertThat(manifest.layers().getFirst().digest()).as("the base layer is shared")
                .isEqualTo(base.layers().getFirst().digest());
        assertThat(entries(manifest.layers().get(1))).containsExactly(Map.entry("etc/", "755 0:0 dir"),
                Map.entry("etc/b.conf", "644 0:0 b=2\n"));
        JsonNode run = config(result).path("config");
        assertThat(run.path("Env").toString()).isEqualTo("[\"PATH=/bin\"]");
        assertThat(run.has("Cmd")).as("a new ENTRYPOINT drops the base CMD").isFalse();
        assertThat(config(result).path("history")).hasSize(5);
    }

    @Test
    void addExtractsLocalTarArchives() throws IOException {
        Path archive = context.resolve("files.tar");
        try (OutputStream out = Files.newOutputStream(archive);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            TarArchiveEntry file = new TarArchiveEntry("inner/hello.txt");
            byte[] hello = "hello\n".getBytes(StandardCharsets.UTF_8);
            file.setSize(hello.length);
            file.setMode(0100600);
            tar.putArchiveEntry(file);
            tar.write(hello);
            tar.closeArchiveEntry();
        }
        ImageBuilder.Result result = build("FROM scratch\nADD files.tar /srv\nADD app.sh /srv/\n", "added:1");
        Manifest manifest = manifest(result);
        assertThat(entries(manifest.layers().get(0))).containsExactly(Map.entry("srv/", "755 0:0 dir"),
                Map.entry("srv/inner/hello.txt", "600 0:0 hello\n"));
        assertThat(entries(manifest.layers().get(1))).containsKey("srv/app.sh");
    }

    @Test
    void refusesWhatCannotBeBuiltWithTheLine() {
        assertBuildError("FROM nothing:here\n", 1, "image nothing:here is not in the local store");
        assertBuildError("FROM scratch\nCOPY missing.txt /\n", 2, "file not found in build context: missing.txt");
        assertBuildError("FROM scratch\n\nCOPY ../outside /\n", 3, "source leaves the build context");
        assertBuildError("FROM scratch\nCOPY --chown=www app.sh /\n", 2, "--chown takes numeric ids");
        assertBuildError("FROM scratch\nEXPOSE http\n", 2, "invalid containerPort: http");
        assertBuildError("FROM scratch\nADD http://example.com/x /\n", 2, "ADD from a URL is not supported");
        assertBuildError("FROM scratch AS a\nCOPY --from=a app.sh /\n", 2, "cannot copy from itself");
        assertThat(store.repositoryExists("library/broken")).isFalse();
    }

    private void assertBuildError(String dockerfile, int line, String message) {
        assertThatThrownBy(() -> build(dockerfile, "broken:1"))
                .isInstanceOfSatisfying(DockerfileSyntaxException.class, e -> assertThat(e.line()).isEqualTo(line))
                .hasMessageContaining(message);
    }

    static byte[] gunzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = new GzipCompressorInputStream(new java.io.ByteArrayInputStream(bytes))) {
            in.transferTo(out);
        }
        return out.toByteArray();
    }
}
