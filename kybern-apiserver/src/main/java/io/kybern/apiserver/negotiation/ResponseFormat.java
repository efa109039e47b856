package io.kybern.apiserver.negotiation;

import io.kybern.apiserver.status.ApiException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * How to answer a get, list or watch, chosen from the request's {@code Accept} header: the objects
 * themselves as JSON, or a {@code meta.k8s.io} Table of them.
 *
 * <p>Like Kubernetes, the server takes the first media range it can serve, in the order the client
 * listed them, ignoring quality values: kubectl lists Table v1, Table v1beta1 then plain JSON and means
 * that order. Ranges it cannot serve (protobuf, YAML, other conversions) are skipped; a header with
 * nothing servable is refused with 406.
 */
public sealed interface ResponseFormat {

    /** The objects as JSON. */
    record Objects() implements ResponseFormat {
    }

    /** A Table in {@code meta.k8s.io/<version>}. */
    record Table(String version) implements ResponseFormat {
        public String apiVersion() {
            return "meta.k8s.io/" + version;
        }
    }

    ResponseFormat OBJECTS = new Objects();

    static ResponseFormat negotiate(String accept) {
        if (accept == null || accept.isBlank()) {
            return OBJECTS;
        }
        for (String range : accept.split(",")) {
            ResponseFormat format = serving(range);
            if (format != null) {
                return format;
            }
        }
        throw new ApiException(406, "NotAcceptable", "only the following media types are accepted: "
                + "application/json, application/json;as=Table;v=v1;g=meta.k8s.io, "
                + "application/json;as=Table;v=v1beta1;g=meta.k8s.io", null);
    }

    /** The format one media range asks for, or null if the server cannot serve it. */
    private static ResponseFormat serving(String range) {
        String[] parts = range.split(";");
        String mediaType = parts[0].strip().toLowerCase(Locale.ROOT);
        Map<String, String> params = new HashMap<>();
        for (int i = 1; i < parts.length; i++) {
            String[] pair = parts[i].split("=", 2);
            if (pair.length == 2) {
                params.put(pair[0].strip().toLowerCase(Locale.ROOT), pair[1].strip());
            }
        }
        if (!mediaType.equals("application/json") && !mediaType.equals("application/*")
                && !mediaType.equals("*/*")) {
            return null;
        }
        String as = params.get("as");
        if (as == null) {
            return OBJECTS;
        }
        String version = params.getOrDefault("v", "");
        if (as.equals("Table") && "meta.k8s.io".equals(params.get("g"))
                && (version.equals("v1") || version.equals("v1beta1"))) {
            return new Table(version);
        }
        return null; // another conversion (PartialObjectMetadata, other groups) is not served yet
    }
}
