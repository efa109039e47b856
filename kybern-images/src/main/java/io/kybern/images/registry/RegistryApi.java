package io.kybern.images.registry;

import io.kybern.images.oci.Digest;
import io.kybern.images.oci.ImageName;
import io.kybern.images.oci.Manifest;
import io.kybern.images.registry.RegistryExchange.Request;
import io.kybern.images.registry.RegistryExchange.Response;
import io.kybern.images.storage.BlobStore;
import io.kybern.images.storage.ImageStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The OCI distribution API (v1.1, which is Docker's registry API v2) over an {@link ImageStore}: blob reads and
 * uploads (monolithic, chunked, cross-repository mounts), manifests by tag and digest, tag lists, the catalog
 * and deletes. Answers every failure with the spec's error JSON. Called on a virtual thread per request, so it
 * blocks freely; uploads in progress are files under the store's temporary directory.
 */
public final class RegistryApi {

    private static final Logger log = LoggerFactory.getLogger(RegistryApi.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** Registries may refuse manifests over 4 MiB; distribution does. */
    static final int MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

    private static final Pattern ROUTE = Pattern.compile(
            "/v2/(?<name>.+?)/(?:(?<uploads>blobs/uploads/?(?<uuid>[^/]*))|blobs/(?<blob>[^/]+)"
                    + "|manifests/(?<manifest>[^/]+)|(?<tags>tags/list))");
    private static final Pattern UUID_TEXT =
            Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private final ImageStore store;
    private final Path uploads;

    public RegistryApi(ImageStore store) throws IOException {
        this.store = store;
        this.uploads = Files.createDirectories(store.root().resolve("uploads"));
    }

    public Response handle(Request request) {
        try {
            Response response = route(request);
            return request.method().equals("HEAD") ? response.headOnly() : response;
        } catch (RegistryError.Failure failure) {
            log.debug("registry error method={} path={} code={} detail={}", request.method(), request.path(),
                    failure.error(), failure.detail());
            Response error = error(failure.error(), failure.detail());
            return request.method().equals("HEAD") ? error.headOnly() : error;
        } catch (IOException | RuntimeException e) {
            log.warn("registry request failed method={} path={}", request.method(), request.path(), e);
            byte[] body = errorBody("UNKNOWN", "unknown error", e.getMessage());
            return Response.bytes(500, RegistryExchange.headers("Content-Type", "application/json"), body);
        }
    }

    private Response route(Request request) throws IOException {
        String path = request.path();
        String method = request.method();
        if (path.equals("/v2/") || path.equals("/v2")) {
            requireMethod(method, "GET", "HEAD");
            return json(200, JSON.createObjectNode());
        }
        if (path.equals("/v2/_catalog")) {
            requireMethod(method, "GET");
            return catalog(request);
        }
        Matcher m = ROUTE.matcher(path);
        if (!m.matches()) {
            throw RegistryError.UNSUPPORTED.failure("no such endpoint: " + path);
        }
        String name = m.group("name");
        if (!ImageName.isValidRepository(name)) {
            throw RegistryError.NAME_INVALID.failure(Map.of("name", name));
        }
        if (m.group("uploads") != null) {
            String uuid = m.group("uuid");
            if (uuid.isEmpty()) {
                requireMethod(method, "POST");
                return startUpload(name, request);
            }
            if (!UUID_TEXT.matcher(uuid).matches() || !Files.exists(uploads.resolve(uuid))) {
                throw RegistryError.BLOB_UPLOAD_UNKNOWN.failure(Map.of("uuid", uuid));
            }
            return switch (method) {
                case "PATCH" -> patchUpload(name, uuid, request);
                case "PUT" -> finishUpload(name, uuid, request);
                case "GET" -> uploadStatus(name, uuid, 204);
                case "DELETE" -> {
                    Files.deleteIfExists(uploads.resolve(uuid));
                    yield Response.of(204, new LinkedHashMap<>());
                }
                default -> throw RegistryError.UNSUPPORTED.failure(method + " on an upload");
            };
        }
        if (m.group("blob") != null) {
            Digest digest = digest(m.group("blob"));
            return switch (method) {
                case "GET", "HEAD" -> blob(name, digest);
                case "DELETE" -> {
                    if (!store.unlinkBlob(name, digest)) {
                        throw RegistryError.BLOB_UNKNOWN.failure(Map.of("digest", digest.toString()));
                    }
                    yield Response.of(202, new LinkedHashMap<>());
                }
                default -> throw RegistryError.UNSUPPORTED.failure(method + " on a blob");
            };
        }
        if (m.group("manifest") != null) {
            String reference = m.group("manifest");
            return switch (method) {
                case "GET", "HEAD" -> manifest(name, reference);
                case "PUT" -> putManifest(name, reference, request);
                case "DELETE" -> deleteManifest(name, reference);
                default -> throw RegistryError.UNSUPPORTED.failure(method + " on a manifest");
            };
        }
        requireMethod(method, "GET");
        return tags(name, request);
    }

    private static void requireMethod(String method, String... allowed) {
        for (String a : allowed) {
            if (a.equals(method)) {
                return;
            }
        }
        throw RegistryError.UNSUPPORTED.failure(method + " is not allowed here");
    }

    private static Digest digest(String text) {
        if (!Digest.isDigest(text)) {
            throw RegistryError.DIGEST_INVALID.failure(Map.of("digest", text,
                    "reason", "only sha256:<64 lowercase hex> is supported"));
        }
        return Digest.parse(text);
    }

    private Response blob(String name, Digest digest) {
        Optional<Long> size = store.hasBlob(name, digest) ? store.blobs().size(digest) : Optional.empty();
        if (size.isEmpty()) {
            throw RegistryError.BLOB_UNKNOWN.failure(Map.of("digest", digest.toString()));
        }
        return Response.file(RegistryExchange.headers("Content-Type", "application/octet-stream",
                "Docker-Content-Digest", digest.toString(), "Accept-Ranges", "none"), store.blobs().path(digest),
                size.get());
    }

    private Response startUpload(String name, Request request) throws IOException {
        String mount = request.query().get("mount");
        String from = request.query().get("from");
        if (mount != null && from != null && ImageName.isValidRepository(from) && Digest.isDigest(mount)) {
            Digest digest = Digest.parse(mount);
            if (store.hasBlob(from, digest)) {
                store.linkBlob(name, digest);
                log.info("blob mounted repository={} from={} digest={}", name, from, digest);
                return created(name, digest);
            }
            // Not mountable: the spec says to fall back to an ordinary upload session.
        }
        String digestParam = request.query().get("digest");
        if (digestParam != null) {
            Digest expected = digest(digestParam);
            Path file = store.blobs().newTempFile();
            try (OutputStream out = Files.newOutputStream(file)) {
                request.body().transferTo(out);
            }
            checkLength(request, Files.size(file), file);
            return adopt(name, file, expected);
        }
        String uuid = UUID.randomUUID().toString();
        Files.createFile(uploads.resolve(uuid));
        return uploadStatus(name, uuid, 202);
    }

    private Response patchUpload(String name, String uuid, Request request) throws IOException {
        Path file = uploads.resolve(uuid);
        long size = Files.size(file);
        String range = request.header("Content-Range");
        if (range != null) {
            Matcher r = Pattern.compile("(?:bytes[ =])?(\\d+)-(\\d+)").matcher(range.trim());
            if (!r.matches() || Long.parseLong(r.group(1)) != size) {
                return withUploadHeaders(error(RegistryError.RANGE_INVALID,
                        Map.of("range", range, "uploaded", size)), name, uuid, size);
            }
        }
        appendBody(file, request.body());
        return uploadStatus(name, uuid, 202);
    }

    private Response finishUpload(String name, String uuid, Request request) throws IOException {
        String digestParam = request.query().get("digest");
        if (digestParam == null) {
            throw RegistryError.DIGEST_INVALID.failure("the digest query parameter is required to finish an upload");
        }
        Digest expected;
        try {
            expected = digest(digestParam);
        } catch (RegistryError.Failure invalid) {
            Files.deleteIfExists(uploads.resolve(uuid));
            throw invalid;
        }
        Path file = uploads.resolve(uuid);
        appendBody(file, request.body());
        return adopt(name, file, expected);
    }

    private Response adopt(String name, Path file, Digest expected) throws IOException {
        try {
            store.blobs().adopt(file, expected);
        } catch (BlobStore.DigestMismatchException mismatch) {
            throw RegistryError.DIGEST_INVALID.failure(Map.of("expected", expected.toString(),
                    "actual", mismatch.actual().toString()));
        }
        store.linkBlob(name, expected);
        log.info("blob stored repository={} digest={} size={}", name, expected,
                store.blobs().size(expected).orElse(-1L));
        return created(name, expected);
    }

    private static void checkLength(Request request, long actual, Path file) throws IOException {
        String declared = request.header("Content-Length");
        if (declared != null && !declared.isBlank() && Long.parseLong(declared.trim()) != actual) {
            Files.deleteIfExists(file);
            throw RegistryError.SIZE_INVALID.failure(Map.of("declared", declared, "received", actual));
        }
    }

    private static void appendBody(Path file, InputStream body) throws IOException {
        try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.APPEND)) {
            body.transferTo(out);
        }
    }

    private static Response created(String name, Digest digest) {
        return Response.of(201, RegistryExchange.headers("Location", "/v2/" + name + "/blobs/" + digest,
                "Docker-Content-Digest", digest.toString()));
    }

    private Response uploadStatus(String name, String uuid, int status) throws IOException {
        return withUploadHeaders(Response.of(status, new LinkedHashMap<>()), name, uuid,
                Files.size(uploads.resolve(uuid)));
    }

    private static Response withUploadHeaders(Response response, String name, String uuid, long size) {
        Map<String, String> headers = new LinkedHashMap<>(response.headers());
        headers.put("Location", "/v2/" + name + "/blobs/uploads/" + uuid);
        // The spec's Range is inclusive; an empty upload reports 0-0 as distribution does.
        headers.put("Range", "0-" + Math.max(0, size - 1));
        headers.put("Docker-Upload-UUID", uuid);
        return new Response(response.status(), headers, response.body(), response.file(), response.length());
    }

    private Response manifest(String name, String reference) throws IOException {
        if (!Digest.isDigest(reference) && !ImageName.isValidTag(reference)) {
            throw RegistryError.MANIFEST_INVALID.failure(Map.of("reference", reference,
                    "reason", "neither a tag nor a sha256 digest"));
        }
        Optional<Digest> digest = store.resolve(name, reference);
        if (digest.isEmpty()) {
            // MANIFEST_UNKNOWN also for an unknown repository, as distribution answers a pull of it.
            throw RegistryError.MANIFEST_UNKNOWN.failure(Map.of("name", name, "reference", reference));
        }
        String type = store.manifestType(name, digest.get()).orElseThrow();
        byte[] bytes = store.blobs().read(digest.get());
        return Response.bytes(200, RegistryExchange.headers("Content-Type", type,
                "Docker-Content-Digest", digest.get().toString()), bytes);
    }

    private Response putManifest(String name, String reference, Request request) throws IOException {
        boolean byDigest = Digest.isDigest(reference);
        if (!byDigest && !ImageName.isValidTag(reference)) {
            throw RegistryError.MANIFEST_INVALID.failure(Map.of("reference", reference,
                    "reason", "neither a tag nor a sha256 digest"));
        }
        byte[] bytes = readLimited(request.body(), MAX_MANIFEST_BYTES);
        Manifest manifest;
        try {
            manifest = Manifest.parse(bytes, request.header("Content-Type"));
        } catch (Manifest.InvalidManifestException invalid) {
            throw RegistryError.MANIFEST_INVALID.failure(invalid.getMessage());
        }
        Digest digest = manifest.digest();
        if (byDigest && !digest.equals(Digest.parse(reference))) {
            throw RegistryError.DIGEST_INVALID.failure(Map.of("expected", reference, "actual", digest.toString()));
        }
        try {
            store.putManifest(name, manifest, byDigest ? null : reference);
        } catch (ImageStore.MissingContentException missing) {
            throw (missing.isManifest() ? RegistryError.MANIFEST_UNKNOWN : RegistryError.MANIFEST_BLOB_UNKNOWN)
                    .failure(Map.of("digest", missing.digest().toString()));
        }
        log.info("manifest stored repository={} reference={} digest={} mediaType={}", name, reference, digest,
                manifest.mediaType());
        return Response.of(201, RegistryExchange.headers("Location", "/v2/" + name + "/manifests/" + digest,
                "Docker-Content-Digest", digest.toString()));
    }

    private Response deleteManifest(String name, String reference) throws IOException {
        if (Digest.isDigest(reference)) {
            if (!store.deleteManifest(name, Digest.parse(reference))) {
                throw RegistryError.MANIFEST_UNKNOWN.failure(Map.of("reference", reference));
            }
        } else if (!store.untag(name, reference)) {
            throw RegistryError.MANIFEST_UNKNOWN.failure(Map.of("reference", reference));
        }
        return Response.of(202, new LinkedHashMap<>());
    }

    private Response tags(String name, Request request) throws IOException {
        if (!store.repositoryExists(name)) {
            throw RegistryError.NAME_UNKNOWN.failure(Map.of("name", name));
        }
        Page page = page(store.tags(name), request, "/v2/" + name + "/tags/list");
        ObjectNode body = JSON.createObjectNode().put("name", name);
        ArrayNode tags = body.putArray("tags");
        page.items().forEach(tags::add);
        return page.withLink(json(200, body));
    }

    private Response catalog(Request request) throws IOException {
        Page page = page(store.repositories(), request, "/v2/_catalog");
        ObjectNode body = JSON.createObjectNode();
        ArrayNode repositories = body.putArray("repositories");
        page.items().forEach(repositories::add);
        return page.withLink(json(200, body));
    }

    /** The spec's pagination: {@code n} items after {@code last}, and a Link header when more follow. */
    private record Page(List<String> items, String next) {
        Response withLink(Response response) {
            if (next == null) {
                return response;
            }
            Map<String, String> headers = new LinkedHashMap<>(response.headers());
            headers.put("Link", "<" + next + ">; rel=\"next\"");
            return new Response(response.status(), headers, response.body(), response.file(), response.length());
        }
    }

    private static Page page(List<String> all, Request request, String path) {
        String last = request.query().get("last");
        List<String> after = new ArrayList<>();
        for (String item : all) {
            if (last == null || item.compareTo(last) > 0) {
                after.add(item);
            }
        }
        String n = request.query().get("n");
        if (n == null) {
            return new Page(after, null);
        }
        int limit;
        try {
            limit = Integer.parseInt(n);
        } catch (NumberFormatException e) {
            throw RegistryError.UNSUPPORTED.failure("n must be a number: " + n);
        }
        if (limit < 0) {
            throw RegistryError.UNSUPPORTED.failure("n must not be negative: " + n);
        }
        if (after.size() <= limit) {
            return new Page(after, null);
        }
        List<String> items = after.subList(0, limit);
        String next = limit == 0 ? null : path + "?n=" + limit + "&last=" + items.getLast();
        return new Page(List.copyOf(items), next);
    }

    private static byte[] readLimited(InputStream in, int limit) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[16 * 1024];
        for (int n; (n = in.read(buffer)) > 0; ) {
            out.write(buffer, 0, n);
            if (out.size() > limit) {
                throw RegistryError.MANIFEST_INVALID.failure("manifest larger than " + limit + " bytes");
            }
        }
        return out.toByteArray();
    }

    private static Response json(int status, Object body) {
        return Response.bytes(status, RegistryExchange.headers("Content-Type", "application/json"),
                JSON.writeValueAsBytes(body));
    }

    static Response error(RegistryError error, Object detail) {
        return Response.bytes(error.status(), RegistryExchange.headers("Content-Type", "application/json"),
                errorBody(error.name(), error.message(), detail));
    }

    private static byte[] errorBody(String code, String message, Object detail) {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode entry = body.putArray("errors").addObject().put("code", code).put("message", message);
        if (detail != null) {
            entry.set("detail", JSON.valueToTree(detail));
        }
        return JSON.writeValueAsString(body).getBytes(StandardCharsets.UTF_8);
    }
}
