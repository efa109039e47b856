package io.kybern.images.oci;

import java.util.Map;

/**
 * What a manifest says about one piece of content: its media type, digest and size; for the manifests of an index
 * also the platform, and annotations (where archives keep image names).
 */
public record Descriptor(String mediaType, Digest digest, long size, Platform platform, Map<String, String> annotations) {

    public Descriptor {
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }

    public Descriptor(String mediaType, Digest digest, long size) {
        this(mediaType, digest, size, null, Map.of());
    }

    /** An OS and CPU architecture, as in {@code linux/amd64}. */
    public record Platform(String os, String architecture) {
        public static final Platform LINUX_AMD64 = new Platform("linux", "amd64");

        @Override
        public String toString() {
            return os + "/" + architecture;
        }
    }
}
