package io.kybern.api.discovery;

import java.util.Locale;
import java.util.Optional;

/**
 * The versions of aggregated discovery ({@code APIGroupDiscoveryList} at {@code /api} and {@code /apis}).
 * Both have the same shape; kubectl 1.27 to 1.29 ask only for {@code v2beta1}, 1.30 and later for
 * {@code v2} first, then {@code v2beta1}. A client that asks for neither gets the unaggregated documents.
 */
public enum AggregatedDiscoveryVersion {

    V2("v2"),
    V2BETA1("v2beta1");

    private static final String GROUP = "apidiscovery.k8s.io";
    private static final String KIND = "APIGroupDiscoveryList";

    private final String version;

    AggregatedDiscoveryVersion(String version) {
        this.version = version;
    }

    /** The {@code apiVersion} of the document. */
    public String apiVersion() {
        return GROUP + "/" + version;
    }

    /** The {@code Content-Type} to answer with, which clients check to tell aggregated from not. */
    public String mediaType() {
        return "application/json;g=" + GROUP + ";v=" + version + ";as=" + KIND;
    }

    /**
     * The first aggregated format an {@code Accept} header names that is served as JSON, such as
     * {@code application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList}; empty when it names
     * none, meaning the client wants the unaggregated document.
     */
    public static Optional<AggregatedDiscoveryVersion> fromAccept(String accept) {
        if (accept == null) {
            return Optional.empty();
        }
        for (String range : accept.split(",")) {
            Optional<AggregatedDiscoveryVersion> match = fromMediaRange(range);
            if (match.isPresent()) {
                return match;
            }
        }
        return Optional.empty();
    }

    private static Optional<AggregatedDiscoveryVersion> fromMediaRange(String range) {
        String[] parts = range.split(";");
        if (!parts[0].trim().equalsIgnoreCase("application/json")) {
            return Optional.empty();
        }
        String group = null;
        String version = null;
        String kind = null;
        for (int i = 1; i < parts.length; i++) {
            String[] param = parts[i].split("=", 2);
            if (param.length != 2) {
                continue;
            }
            String value = param[1].trim();
            switch (param[0].trim().toLowerCase(Locale.ROOT)) {
                case "g" -> group = value;
                case "v" -> version = value;
                case "as" -> kind = value;
                default -> {
                }
            }
        }
        if (!GROUP.equals(group) || !KIND.equals(kind)) {
            return Optional.empty();
        }
        for (AggregatedDiscoveryVersion candidate : values()) {
            if (candidate.version.equals(version)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
