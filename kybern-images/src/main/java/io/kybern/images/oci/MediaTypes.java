package io.kybern.images.oci;

import java.util.Set;

/** The media types of the OCI image spec and their Docker schema 2 twins, which registries and containerd accept alike. */
public final class MediaTypes {

    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    public static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
    public static final String OCI_LAYER = "application/vnd.oci.image.layer.v1.tar";
    public static final String OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
    public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    public static final String DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    public static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
    public static final String DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar";
    public static final String DOCKER_LAYER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip";

    private static final Set<String> IMAGE_MANIFESTS = Set.of(OCI_MANIFEST, DOCKER_MANIFEST);
    private static final Set<String> INDEXES = Set.of(OCI_INDEX, DOCKER_MANIFEST_LIST);

    private MediaTypes() {
    }

    public static boolean isImageManifest(String mediaType) {
        return IMAGE_MANIFESTS.contains(mediaType);
    }

    public static boolean isIndex(String mediaType) {
        return INDEXES.contains(mediaType);
    }

    public static boolean isManifest(String mediaType) {
        return isImageManifest(mediaType) || isIndex(mediaType);
    }

    /** The OCI name of a layer media type, so that layers of a Docker base image fit in an OCI manifest. */
    public static String ociLayer(String mediaType) {
        return switch (mediaType) {
            case DOCKER_LAYER_GZIP -> OCI_LAYER_GZIP;
            case DOCKER_LAYER -> OCI_LAYER;
            default -> mediaType;
        };
    }
}
