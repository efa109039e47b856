package io.kybern.apiserver.negotiation;

import io.kybern.apiserver.status.ApiException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How to answer a request, chosen from its {@code Accept} header: the objects themselves as JSON or
 * as Kubernetes protobuf, or a {@code meta.k8s.io} Table of them.
 *
 * <p>Media ranges are tried by quality value, highest first, and in the client's order among equal
 * qualities (kubectl lists Table v1, Table v1beta1 then plain JSON and means that order; protobuf
 * clients send {@code application/vnd.kubernetes.protobuf, application/json}); ranges with q=0 are
 * refused by the client. Ranges the server cannot serve (YAML, other conversions, protobuf Tables) are
 * skipped; a header with nothing servable is refused with 406.
 */
public sealed interface ResponseFormat {

    String PROTOBUF = "application/vnd.kubernetes.protobuf";

    /** The objects as JSON. */
    record Objects() implements ResponseFormat {
    }

    /**
     * The objects in Kubernetes protobuf.
     *
     * @param jsonAcceptable whether the client also takes JSON, the answer for what protobuf cannot carry
     */
    record Protobuf(boolean jsonAcceptable) implements ResponseFormat {
    }

    /** A Table in {@code meta.k8s.io/<version>}. */
    record Table(String version) implements ResponseFormat {
        public String apiVersion() {
            return "meta.k8s.io/" + version;
        }
    }

    /**
     * Only the metadata of objects, as {@code meta.k8s.io/<version>} PartialObjectMetadata (and ...List for
     * lists): what metadata-only informers (the garbage collector's, say) ask for.
     */
    record PartialMetadata(String version) implements ResponseFormat {
        public String apiVersion() {
            return "meta.k8s.io/" + version;
        }
    }

    ResponseFormat OBJECTS = new Objects();

    static ResponseFormat negotiate(String accept) {
        if (accept == null || accept.isBlank()) {
            return OBJECTS;
        }
        List<MediaRange> ranges = MediaRange.parseAll(accept);
        boolean json = ranges.stream().anyMatch(r -> serving(r, false) instanceof Objects);
        for (MediaRange range : ranges) {
            ResponseFormat format = serving(range, json);
            if (format != null) {
                return format;
            }
        }
        throw new ApiException(406, "NotAcceptable", "only the following media types are accepted: "
                + "application/json, application/vnd.kubernetes.protobuf, "
                + "application/json;as=Table;v=v1;g=meta.k8s.io, "
                + "application/json;as=Table;v=v1beta1;g=meta.k8s.io, "
                + "application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io, "
                + "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io", null);
    }

    /** The format one media range asks for, or null if the server cannot serve it. */
    private static ResponseFormat serving(MediaRange range, boolean jsonAcceptable) {
        String as = range.params().get("as");
        if (range.type().equals(PROTOBUF)) {
            return as == null ? new Protobuf(jsonAcceptable) : null; // protobuf Tables are not served
        }
        if (!range.type().equals("application/json") && !range.type().equals("application/*")
                && !range.type().equals("*/*")) {
            return null;
        }
        if (as == null) {
            return OBJECTS;
        }
        String version = range.params().getOrDefault("v", "");
        if (as.equals("Table") && "meta.k8s.io".equals(range.params().get("g"))
                && (version.equals("v1") || version.equals("v1beta1"))) {
            return new Table(version);
        }
        if ((as.equals("PartialObjectMetadata") || as.equals("PartialObjectMetadataList"))
                && "meta.k8s.io".equals(range.params().get("g"))
                && (version.equals("v1") || version.equals("v1beta1"))) {
            return new PartialMetadata(version);
        }
        return null; // another conversion is not served
    }

    /** One media range of an Accept header. */
    record MediaRange(String type, Map<String, String> params, double quality) {

        /** The acceptable ranges, best first; the client's order among equals. */
        static List<MediaRange> parseAll(String accept) {
            List<MediaRange> ranges = new ArrayList<>();
            for (String text : accept.split(",")) {
                MediaRange range = parse(text);
                if (range.quality() > 0) {
                    ranges.add(range);
                }
            }
            ranges.sort(Comparator.comparingDouble(MediaRange::quality).reversed()); // stable
            return ranges;
        }

        static MediaRange parse(String text) {
            String[] parts = text.split(";");
            Map<String, String> params = new HashMap<>();
            double quality = 1;
            for (int i = 1; i < parts.length; i++) {
                String[] pair = parts[i].split("=", 2);
                if (pair.length != 2) {
                    continue;
                }
                String name = pair[0].strip().toLowerCase(Locale.ROOT);
                String value = pair[1].strip();
                if (name.equals("q")) {
                    try {
                        quality = Double.parseDouble(value);
                    } catch (NumberFormatException e) {
                        quality = 0; // an unreadable quality is not an acceptance
                    }
                } else {
                    params.put(name, value);
                }
            }
            return new MediaRange(parts[0].strip().toLowerCase(Locale.ROOT), params, quality);
        }
    }
}
