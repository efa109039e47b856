package io.kybern.apiserver;

import io.kybern.api.openapi.GnosticProtobuf;
import io.kybern.api.openapi.OpenApiDocuments;
import io.kybern.api.resource.GroupVersion;
import io.kybern.apiserver.http.ApiRequest;
import io.kybern.apiserver.http.ApiResponder;
import io.kybern.apiserver.status.ApiException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Serves {@code /openapi/v3} (the index of group-versions), {@code /openapi/v3/api/v1} and
 * {@code /openapi/v3/apis/<group>/<version>} (one OpenAPI 3 document each), and {@code /openapi/v2}.
 *
 * <p>As kube-apiserver does, each document's hash (SHA-512 of its bytes) is its {@code ETag}, the index
 * links every document with {@code ?hash=}, a request carrying the current hash may be cached for a
 * year ({@code Cache-Control: public, immutable}), and a stale hash is redirected to the current one.
 * Documents are built on first request and kept until {@link #invalidate} says the resources served changed.
 */
public final class OpenApiEndpoints implements ApiServer.NonResourceHandler {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String V3 = "/openapi/v3";
    private static final String V2 = "/openapi/v2";
    static final String V2_PROTOBUF = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf";
    /**
     * The same media type as responses name it: {@code @} is not allowed in a media type, and Go's mime
     * parser (which client-go runs on every response) refuses it, so kube-apiserver answers with a dot.
     */
    static final String V2_PROTOBUF_RESPONSE = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";

    /** A document as served: its bytes, their hash and their media type. */
    private record Served(byte[] json, String hash, String contentType) {
    }

    private final OpenApiDocuments documents;
    /**
     * The documents built since the served resources last changed. {@link #invalidate} swaps in a new map
     * rather than clearing this one, so a document a request was building from the old resources lands in
     * the discarded map, never in the current one.
     */
    private volatile Map<String, Served> cache = new ConcurrentHashMap<>();

    public OpenApiEndpoints(OpenApiDocuments documents) {
        this.documents = documents;
    }

    @Override
    public boolean handle(ApiRequest request, ApiResponder responder) {
        String path = request.path().replaceAll("/+$", "");
        if (!request.method().equals("GET") || !(path.equals(V2) || path.equals(V3) || path.startsWith(V3 + "/"))) {
            return false;
        }
        if (!path.equals(V2) && !acceptsJson(Optional.ofNullable(request.header("accept")).orElse("*/*"))) {
            // OpenAPI 3 is served as JSON only; a client that asks for protobuf alone is told so.
            throw notAcceptable("application/json");
        }
        if (path.equals(V3)) {
            serve(request, responder, index(), false);
        } else if (path.equals(V2)) {
            serveV2(request, responder);
        } else {
            String name = path.substring(V3.length() + 1);
            Optional<GroupVersion> gv = groupVersion(name);
            // A custom resource may go between listing and building: then it is as if never listed.
            Served doc = gv.filter(documents.groupVersions()::contains).flatMap(v -> document(name, v))
                    .orElseThrow(ApiException::pathNotFound);
            String hash = request.param("hash");
            if (hash != null && !hash.isEmpty() && !hash.equals(doc.hash())) {
                responder.header("Location", serverRelativeUrl(name, doc.hash()));
                responder.header("Cache-Control", "public, immutable");
                responder.respond(301, "text/plain; charset=utf-8", new byte[0]);
                return true;
            }
            serve(request, responder, doc, hash != null && !hash.isEmpty());
        }
        return true;
    }

    private void serveV2(ApiRequest request, ApiResponder responder) {
        String accept = Optional.ofNullable(request.header("accept")).orElse("application/json");
        if (accept.toLowerCase(Locale.ROOT).contains(V2_PROTOBUF)) {
            // client-go (kubectl explain, client-side validation) asks for gnostic's protobuf form only.
            Map<String, Served> built = cache;
            Served json = cached("v2", documents::v2);
            serve(request, responder, built.computeIfAbsent("v2.pb", k -> served(GnosticProtobuf.encode(
                    JSON.readTree(json.json())), V2_PROTOBUF_RESPONSE)), false);
            return;
        }
        if (acceptsJson(accept)) {
            serve(request, responder, cached("v2", documents::v2), false);
            return;
        }
        throw notAcceptable("application/json, " + V2_PROTOBUF);
    }

    private static ApiException notAcceptable(String served) {
        return new ApiException(406, "NotAcceptable", "only the following media types are accepted: " + served,
                null);
    }

    private static boolean acceptsJson(String accept) {
        for (String range : accept.split(",")) {
            String type = range.split(";")[0].strip().toLowerCase(Locale.ROOT);
            if (type.equals("application/json") || type.equals("*/*") || type.equals("application/*")) {
                return true;
            }
        }
        return false;
    }

    private Served index() {
        Map<String, Object> paths = new LinkedHashMap<>();
        for (GroupVersion gv : documents.groupVersions()) {
            String name = documentName(gv);
            document(name, gv).ifPresent(doc -> paths.put(name, Map.of("serverRelativeURL",
                    serverRelativeUrl(name, doc.hash()))));
        }
        return served(JSON.writeValueAsBytes(Map.of("paths", paths)), "application/json");
    }

    private void serve(ApiRequest request, ApiResponder responder, Served doc, boolean hashed) {
        String etag = "\"" + doc.hash() + "\"";
        responder.header("ETag", etag);
        responder.header("Vary", "Accept");
        if (hashed) {
            responder.header("Cache-Control", "public, immutable");
            responder.header("Expires", DateTimeFormatter.RFC_1123_DATE_TIME.format(
                    ZonedDateTime.now(ZoneOffset.UTC).plusYears(1)));
        } else {
            responder.header("Cache-Control", "no-cache, private");
        }
        if (etag.equals(request.header("if-none-match"))) {
            responder.respond(304, doc.contentType(), new byte[0]);
            return;
        }
        responder.respond(200, doc.contentType(), doc.json());
    }

    /** Forgets the documents built: the resources served changed (a custom resource came or went). */
    public void invalidate() {
        cache = new ConcurrentHashMap<>();
    }

    /** The group-version's document, built once; empty if it stopped being served a moment ago. */
    private Optional<Served> document(String name, GroupVersion gv) {
        Map<String, Served> built = cache;
        Served cachedDoc = built.get(name);
        if (cachedDoc != null) {
            return Optional.of(cachedDoc);
        }
        return documents.v3(gv).map(doc -> built.computeIfAbsent(name, k -> served(JSON.writeValueAsBytes(doc),
                "application/json")));
    }

    private Served cached(String key, Supplier<ObjectNode> document) {
        Map<String, Served> built = cache;
        return built.computeIfAbsent(key, k -> served(JSON.writeValueAsBytes(document.get()), "application/json"));
    }

    private static Served served(byte[] bytes, String contentType) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-512").digest(bytes);
            return new Served(bytes, HexFormat.of().withUpperCase().formatHex(digest), contentType);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-512", e);
        }
    }

    /** {@code api/v1} or {@code apis/apps/v1}: how the index and the URLs name a group-version's document. */
    static String documentName(GroupVersion gv) {
        return gv.path().substring(1);
    }

    private static Optional<GroupVersion> groupVersion(String name) {
        String[] parts = name.split("/");
        if (parts.length == 2 && parts[0].equals("api")) {
            return Optional.of(new GroupVersion("", parts[1]));
        }
        if (parts.length == 3 && parts[0].equals("apis")) {
            return Optional.of(new GroupVersion(parts[1], parts[2]));
        }
        return Optional.empty();
    }

    private static String serverRelativeUrl(String name, String hash) {
        return V3 + "/" + name + "?hash=" + hash;
    }
}
