package io.kybern.images.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.kybern.images.oci.Digest;
import io.kybern.images.storage.ImageStore;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The distribution API over real HTTP: what a client sends, what it gets back, and what ends up on disk. */
class RegistryServerTest {

    @TempDir
    Path dir;
    private ImageStore store;
    private RegistryServer server;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        store = new ImageStore(dir);
        server = RegistryServer.start(store, new InetSocketAddress("127.0.0.1", 0));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.address().getPort() + path);
    }

    private HttpResponse<String> send(String method, String path, byte[] body, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path))
                .method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofByteArray(body));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String errorCode(HttpResponse<String> response) {
        return response.body().replaceAll("(?s).*\"code\":\"([A-Z_]+)\".*", "$1");
    }

    private Digest pushBlob(String repository, byte[] content) throws Exception {
        Digest digest = Digest.of(content);
        HttpResponse<String> put = send("POST", "/v2/" + repository + "/blobs/uploads/?digest=" + digest, content);
        assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
        return digest;
    }

    private String imageManifest(Digest config, long configSize, Digest layer, long layerSize, String type) {
        return """
                {"schemaVersion":2,"mediaType":"%s",\
                "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%d},\
                "layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"%s","size":%d}]}"""
                .formatted(type, config, configSize, layer, layerSize);
    }

    @Test
    void answersTheVersionCheck() throws Exception {
        HttpResponse<String> ping = send("GET", "/v2/", null);
        assertThat(ping.statusCode()).isEqualTo(200);
        assertThat(ping.headers().firstValue("Docker-Distribution-API-Version")).hasValue("registry/2.0");
        assertThat(ping.body()).isEqualTo("{}");
    }

    @Test
    void storesAMonolithicUploadAndServesIt() throws Exception {
        byte[] content = "a layer".getBytes(StandardCharsets.UTF_8);
        Digest digest = pushBlob("team/app", content);

        HttpResponse<String> head = send("HEAD", "/v2/team/app/blobs/" + digest, null);
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.headers().firstValue("Content-Length")).hasValue("7");
        assertThat(head.headers().firstValue("Docker-Content-Digest")).hasValue(digest.toString());
        HttpResponse<String> get = send("GET", "/v2/team/app/blobs/" + digest, null);
        assertThat(get.body()).isEqualTo("a layer");
        // Blobs belong to repositories: another repository does not serve it until it is mounted.
        assertThat(send("GET", "/v2/other/blobs/" + digest, null).statusCode()).isEqualTo(404);
        HttpResponse<String> mount = send("POST", "/v2/other/blobs/uploads/?mount=" + digest + "&from=team/app", null);
        assertThat(mount.statusCode()).isEqualTo(201);
        assertThat(send("GET", "/v2/other/blobs/" + digest, null).body()).isEqualTo("a layer");
    }

    @Test
    void assemblesAChunkedUploadAndRefusesAChunkOutOfOrder() throws Exception {
        byte[] content = new byte[3 * 1024 * 1024 + 17];
        new Random(7).nextBytes(content);
        HttpResponse<String> start = send("POST", "/v2/big/blobs/uploads/", null);
        assertThat(start.statusCode()).isEqualTo(202);
        String location = start.headers().firstValue("Location").orElseThrow();
        assertThat(start.headers().firstValue("Docker-Upload-UUID")).isPresent();

        int half = content.length / 2;
        HttpResponse<String> first = send("PATCH", location, Arrays.copyOfRange(content, 0, half),
                "Content-Range", "0-" + (half - 1), "Content-Type", "application/octet-stream");
        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(first.headers().firstValue("Range")).hasValue("0-" + (half - 1));
        HttpResponse<String> skipped = send("PATCH", location, new byte[] {1, 2, 3},
                "Content-Range", (half + 10) + "-" + (half + 12));
        assertThat(skipped.statusCode()).isEqualTo(416);
        assertThat(skipped.headers().firstValue("Range")).hasValue("0-" + (half - 1));
        HttpResponse<String> second = send("PATCH", location, Arrays.copyOfRange(content, half, content.length),
                "Content-Range", half + "-" + (content.length - 1));
        assertThat(second.statusCode()).isEqualTo(202);
        Digest digest = Digest.of(content);
        HttpResponse<String> done = send("PUT", location + "?digest=" + digest, null);
        assertThat(done.statusCode()).isEqualTo(201);
        assertThat(done.headers().firstValue("Location")).hasValue("/v2/big/blobs/" + digest);
        assertThat(Files.readAllBytes(store.blobs().path(digest))).isEqualTo(content);
        assertThat(send("GET", location, null).statusCode()).as("the session is gone").isEqualTo(404);
    }

    @Test
    void refusesContentWhoseDigestDoesNotMatchAndKeepsNothing() throws Exception {
        byte[] content = "the real content".getBytes(StandardCharsets.UTF_8);
        Digest claimed = Digest.of("something else".getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> put = send("POST", "/v2/app/blobs/uploads/?digest=" + claimed, content);

        assertThat(put.statusCode()).isEqualTo(400);
        assertThat(errorCode(put)).isEqualTo("DIGEST_INVALID");
        assertThat(put.body()).contains("provided digest did not match uploaded content");
        assertThat(store.blobs().exists(claimed)).isFalse();
        assertThat(store.blobs().exists(Digest.of(content))).isFalse();
        try (var files = Files.list(dir.resolve("tmp"))) {
            assertThat(files).as("no leftovers").isEmpty();
        }
        assertThat(errorCode(send("POST", "/v2/app/blobs/uploads/?digest=md5:abc", content)))
                .isEqualTo("DIGEST_INVALID");
    }

    @Test
    void unknownThingsAnswer404WithTheirCode() throws Exception {
        Digest nothing = Digest.of(new byte[] {42});
        HttpResponse<String> blob = send("GET", "/v2/app/blobs/" + nothing, null);
        assertThat(blob.statusCode()).isEqualTo(404);
        assertThat(errorCode(blob)).isEqualTo("BLOB_UNKNOWN");
        assertThat(send("HEAD", "/v2/app/blobs/" + nothing, null).statusCode()).isEqualTo(404);
        HttpResponse<String> manifest = send("GET", "/v2/app/manifests/latest", null);
        assertThat(manifest.statusCode()).isEqualTo(404);
        assertThat(errorCode(manifest)).isEqualTo("MANIFEST_UNKNOWN");
        HttpResponse<String> tags = send("GET", "/v2/app/tags/list", null);
        assertThat(tags.statusCode()).isEqualTo(404);
        assertThat(errorCode(tags)).isEqualTo("NAME_UNKNOWN");
        HttpResponse<String> upload = send("PATCH", "/v2/app/blobs/uploads/00000000-0000-0000-0000-000000000000",
                new byte[] {1});
        assertThat(upload.statusCode()).isEqualTo(404);
        assertThat(errorCode(upload)).isEqualTo("BLOB_UPLOAD_UNKNOWN");
    }

    @Test
    void refusesInvalidRepositoryNames() throws Exception {
        for (String name : new String[] {"Upper/case", "trailing-/x", "a//b", "_hidden"}) {
            HttpResponse<String> response = send("GET", "/v2/" + name + "/tags/list", null);
            assertThat(response.statusCode()).as(name).isEqualTo(400);
            assertThat(errorCode(response)).as(name).isEqualTo("NAME_INVALID");
        }
    }

    @Test
    void storesManifestsByTagAndDigestAndListsThem() throws Exception {
        byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
        byte[] layer = "layer".getBytes(StandardCharsets.UTF_8);
        Digest configDigest = pushBlob("team/app", config);
        Digest layerDigest = pushBlob("team/app", layer);
        String oci = imageManifest(configDigest, config.length, layerDigest, layer.length,
                "application/vnd.oci.image.manifest.v1+json");
        Digest manifestDigest = Digest.of(oci.getBytes(StandardCharsets.UTF_8));

        HttpResponse<String> put = send("PUT", "/v2/team/app/manifests/v1", oci.getBytes(StandardCharsets.UTF_8),
                "Content-Type", "application/vnd.oci.image.manifest.v1+json");
        assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
        assertThat(put.headers().firstValue("Docker-Content-Digest")).hasValue(manifestDigest.toString());

        for (String reference : new String[] {"v1", manifestDigest.toString()}) {
            HttpResponse<String> get = send("GET", "/v2/team/app/manifests/" + reference, null);
            assertThat(get.statusCode()).isEqualTo(200);
            assertThat(get.body()).isEqualTo(oci);
            assertThat(get.headers().firstValue("Content-Type")).hasValue("application/vnd.oci.image.manifest.v1+json");
            assertThat(get.headers().firstValue("Docker-Content-Digest")).hasValue(manifestDigest.toString());
        }
        HttpResponse<String> head = send("HEAD", "/v2/team/app/manifests/v1", null);
        assertThat(head.headers().firstValue("Content-Length")).hasValue(String.valueOf(oci.length()));

        // A Docker schema 2 manifest and a list of both, by digest and by tag.
        String docker = imageManifest(configDigest, config.length, layerDigest, layer.length,
                "application/vnd.docker.distribution.manifest.v2+json");
        Digest dockerDigest = Digest.of(docker.getBytes(StandardCharsets.UTF_8));
        assertThat(send("PUT", "/v2/team/app/manifests/" + dockerDigest, docker.getBytes(StandardCharsets.UTF_8),
                "Content-Type", "application/vnd.docker.distribution.manifest.v2+json").statusCode()).isEqualTo(201);
        String list = """
                {"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json",\
                "manifests":[{"mediaType":"application/vnd.docker.distribution.manifest.v2+json","digest":"%s",\
                "size":%d,"platform":{"architecture":"amd64","os":"linux"}}]}""".formatted(dockerDigest, docker.length());
        assertThat(send("PUT", "/v2/team/app/manifests/multi", list.getBytes(StandardCharsets.UTF_8),
                "Content-Type", "application/vnd.docker.distribution.manifest.list.v2+json").statusCode()).isEqualTo(201);
        assertThat(send("GET", "/v2/team/app/manifests/multi", null).headers().firstValue("Content-Type"))
                .hasValue("application/vnd.docker.distribution.manifest.list.v2+json");

        assertThat(send("GET", "/v2/team/app/tags/list", null).body())
                .isEqualTo("{\"name\":\"team/app\",\"tags\":[\"multi\",\"v1\"]}");
        HttpResponse<String> page = send("GET", "/v2/team/app/tags/list?n=1", null);
        assertThat(page.body()).isEqualTo("{\"name\":\"team/app\",\"tags\":[\"multi\"]}");
        assertThat(page.headers().firstValue("Link")).hasValue("</v2/team/app/tags/list?n=1&last=multi>; rel=\"next\"");
        assertThat(send("GET", "/v2/team/app/tags/list?n=1&last=multi", null).body()).contains("[\"v1\"]");
        assertThat(send("GET", "/v2/_catalog", null).body()).isEqualTo("{\"repositories\":[\"team/app\"]}");

        // Deleting by tag removes the tag; by digest removes the manifest and its tags.
        assertThat(send("DELETE", "/v2/team/app/manifests/multi", null).statusCode()).isEqualTo(202);
        assertThat(send("GET", "/v2/team/app/manifests/multi", null).statusCode()).isEqualTo(404);
        assertThat(send("DELETE", "/v2/team/app/manifests/" + manifestDigest, null).statusCode()).isEqualTo(202);
        assertThat(errorCode(send("GET", "/v2/team/app/manifests/v1", null))).isEqualTo("MANIFEST_UNKNOWN");
        assertThat(send("DELETE", "/v2/team/app/blobs/" + layerDigest, null).statusCode()).isEqualTo(202);
        assertThat(send("GET", "/v2/team/app/blobs/" + layerDigest, null).statusCode()).isEqualTo(404);
    }

    @Test
    void refusesManifestsThatAreInvalidOrMissTheirBlobs() throws Exception {
        Digest missing = Digest.of("never uploaded".getBytes(StandardCharsets.UTF_8));
        String manifest = imageManifest(missing, 14, missing, 14, "application/vnd.oci.image.manifest.v1+json");
        HttpResponse<String> unknownBlob = send("PUT", "/v2/app/manifests/v1", manifest.getBytes(StandardCharsets.UTF_8),
                "Content-Type", "application/vnd.oci.image.manifest.v1+json");
        assertThat(unknownBlob.statusCode()).isEqualTo(400);
        assertThat(errorCode(unknownBlob)).isEqualTo("MANIFEST_BLOB_UNKNOWN");
        assertThat(unknownBlob.body()).contains(missing.toString());

        for (String bad : new String[] {"not json", "[]", "{\"schemaVersion\":1}",
                "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"layers\":[]}",
                "{\"schemaVersion\":2,\"mediaType\":\"text/plain\"}"}) {
            HttpResponse<String> invalid = send("PUT", "/v2/app/manifests/v1", bad.getBytes(StandardCharsets.UTF_8),
                    "Content-Type", "application/vnd.oci.image.manifest.v1+json");
            assertThat(invalid.statusCode()).as(bad).isEqualTo(400);
            assertThat(errorCode(invalid)).as(bad).isEqualTo("MANIFEST_INVALID");
        }
        byte[] config = "{}".getBytes(StandardCharsets.UTF_8);
        Digest configDigest = pushBlob("app", config);
        String empty = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + configDigest
                + "\",\"size\":2},\"layers\":[]}";
        HttpResponse<String> wrongDigest = send("PUT", "/v2/app/manifests/" + missing, empty.getBytes(StandardCharsets.UTF_8),
                "Content-Type", "application/vnd.oci.image.manifest.v1+json");
        assertThat(errorCode(wrongDigest)).isEqualTo("DIGEST_INVALID");
        assertThat(store.repositoryExists("app")).as("no manifest stored").isFalse();
    }
}
