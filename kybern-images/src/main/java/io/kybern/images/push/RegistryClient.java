package io.kybern.images.push;

import io.kybern.images.Progress;
import io.kybern.images.oci.Descriptor;
import io.kybern.images.oci.Digest;
import io.kybern.images.oci.ImageName;
import io.kybern.images.oci.Manifest;
import io.kybern.images.storage.ImageStore;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pushes images of the {@link ImageStore} to another registry over the distribution API, as {@code docker push}
 * does: each blob the registry lacks is uploaded (POST, then one PUT with the digest), then the manifests,
 * children of an index first. Plain HTTP unless the destination says {@code https://}; no authentication.
 */
public final class RegistryClient {

    private static final Logger log = LoggerFactory.getLogger(RegistryClient.class);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
            .version(HttpClient.Version.HTTP_1_1).build();
    private final ImageStore store;
    private final Progress progress;

    public RegistryClient(ImageStore store, Progress progress) {
        this.store = store;
        this.progress = progress;
    }

    /**
     * Pushes {@code image} from the local store to {@code destination}, whose registry is the host to push to.
     *
     * @param scheme {@code http} or {@code https}
     * @return the digest of the pushed manifest
     */
    public Digest push(ImageName image, ImageName destination, String scheme) throws IOException, InterruptedException {
        if (destination.registry() == null) {
            throw new IllegalArgumentException("the destination needs a registry host, e.g. localhost:5000/"
                    + destination.repository());
        }
        Digest digest = store.resolve(image.repository(), image.reference()).orElseThrow(
                () -> new IOException("no such image: " + image.familiar()));
        URI base = URI.create(scheme + "://" + destination.registry());
        pushManifest(base, image.repository(), destination.repository(), store.manifest(image.repository(), digest),
                destination.tag() != null ? destination.tag() : digest.toString());
        progress.report(destination.reference(), "digest: " + digest + " size: "
                + store.blobs().size(digest).orElse(0L));
        log.info("image pushed image={} destination={} digest={}", image, destination, digest);
        return digest;
    }

    private void pushManifest(URI base, String source, String repository, Manifest manifest, String reference)
            throws IOException, InterruptedException {
        for (Descriptor child : manifest.manifests()) {
            if (store.manifestType(source, child.digest()).isPresent()) {
                pushManifest(base, source, repository, store.manifest(source, child.digest()),
                        child.digest().toString());
            }
        }
        for (Descriptor blob : manifest.blobs()) {
            pushBlob(base, repository, blob.digest());
        }
        HttpResponse<String> put = http.send(HttpRequest.newBuilder(
                        base.resolve("/v2/" + repository + "/manifests/" + reference))
                .header("Content-Type", manifest.mediaType())
                .PUT(HttpRequest.BodyPublishers.ofByteArray(manifest.bytes())).build(),
                HttpResponse.BodyHandlers.ofString());
        expect(put, 201, "PUT manifest " + reference);
    }

    private void pushBlob(URI base, String repository, Digest digest) throws IOException, InterruptedException {
        URI blob = base.resolve("/v2/" + repository + "/blobs/" + digest);
        HttpResponse<Void> head = http.send(HttpRequest.newBuilder(blob).method("HEAD",
                HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        if (head.statusCode() == 200) {
            progress.report(digest.shortHex(), "Layer already exists");
            return;
        }
        progress.report(digest.shortHex(), "Pushing");
        HttpResponse<String> start = http.send(HttpRequest.newBuilder(base.resolve("/v2/" + repository
                + "/blobs/uploads/")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        expect(start, 202, "POST upload");
        String location = start.headers().firstValue("Location").orElseThrow(
                () -> new IOException("the registry started an upload without a Location"));
        URI upload = base.resolve(location);
        String separator = upload.getRawQuery() == null ? "?" : "&";
        URI finish = URI.create(upload + separator + "digest=" + digest);
        HttpResponse<String> put = http.send(HttpRequest.newBuilder(finish)
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofFile(store.blobs().path(digest))).build(),
                HttpResponse.BodyHandlers.ofString());
        expect(put, 201, "PUT blob " + digest);
        progress.report(digest.shortHex(), "Pushed");
    }

    private static void expect(HttpResponse<?> response, int status, String what) throws IOException {
        if (response.statusCode() != status) {
            throw new IOException(what + " to " + response.uri() + " answered " + response.statusCode() + ": "
                    + response.body());
        }
    }
}
