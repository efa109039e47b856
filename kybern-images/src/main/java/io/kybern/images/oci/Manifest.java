package io.kybern.images.oci;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A parsed image manifest or index (OCI or Docker schema 2), kept with its exact bytes: the digest is over the
 * bytes, never over a re-serialization. Only what storage and clients need is read; other fields pass through.
 *
 * @param mediaType what the manifest is
 * @param bytes     its exact content
 * @param config    an image manifest's config blob; null for an index
 * @param layers    an image manifest's layers; empty for an index
 * @param manifests an index's manifests; empty for an image manifest
 */
public record Manifest(String mediaType, byte[] bytes, Descriptor config, List<Descriptor> layers,
        List<Descriptor> manifests) {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    public Digest digest() {
        return Digest.of(bytes);
    }

    public boolean isIndex() {
        return MediaTypes.isIndex(mediaType);
    }

    /** The blobs an image manifest refers to: its config, then its layers. */
    public List<Descriptor> blobs() {
        if (config == null) {
            return List.of();
        }
        List<Descriptor> all = new ArrayList<>(layers.size() + 1);
        all.add(config);
        all.addAll(layers);
        return all;
    }

    /**
     * Parses a manifest.
     *
     * @param declaredType the Content-Type it arrived with, or null; when both are present it must agree with the
     *                     manifest's own {@code mediaType} field
     * @throws InvalidManifestException when it is not a manifest of a supported type
     */
    public static Manifest parse(byte[] bytes, String declaredType) {
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (JacksonException e) {
            throw new InvalidManifestException("manifest is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new InvalidManifestException("manifest must be a JSON object");
        }
        JsonNode schemaVersion = root.path("schemaVersion");
        if (!schemaVersion.isIntegralNumber() || !schemaVersion.canConvertToInt() || schemaVersion.asInt() != 2) {
            throw new InvalidManifestException("schemaVersion must be 2");
        }
        String ownType = root.path("mediaType").isString() ? root.path("mediaType").asString() : null;
        String type = ownType;
        String declared = declaredType == null ? null : declaredType.split(";", 2)[0].trim();
        if (type == null) {
            if (declared != null && MediaTypes.isManifest(declared)) {
                type = declared;
            } else if (root.has("manifests")) {
                type = MediaTypes.OCI_INDEX;
            } else {
                type = MediaTypes.OCI_MANIFEST;
            }
        } else if (declared != null && MediaTypes.isManifest(declared) && !declared.equals(type)) {
            throw new InvalidManifestException("mediaType " + type + " does not match Content-Type " + declared);
        }
        if (!MediaTypes.isManifest(type)) {
            throw new InvalidManifestException("unsupported manifest media type: " + type);
        }
        if (MediaTypes.isIndex(type)) {
            JsonNode manifests = root.path("manifests");
            if (!manifests.isArray()) {
                throw new InvalidManifestException("an index needs a manifests array");
            }
            List<Descriptor> children = new ArrayList<>();
            for (int i = 0; i < manifests.size(); i++) {
                children.add(descriptor(manifests.get(i), "manifests[" + i + "]"));
            }
            return new Manifest(type, bytes.clone(), null, List.of(), List.copyOf(children));
        }
        Descriptor config = descriptor(root.path("config"), "config");
        JsonNode layers = root.path("layers");
        if (!layers.isArray()) {
            throw new InvalidManifestException("an image manifest needs a layers array");
        }
        List<Descriptor> layerList = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            layerList.add(descriptor(layers.get(i), "layers[" + i + "]"));
        }
        return new Manifest(type, bytes.clone(), config, List.copyOf(layerList), List.of());
    }

    private static Descriptor descriptor(JsonNode node, String path) {
        if (!node.isObject()) {
            throw new InvalidManifestException(path + " must be an object");
        }
        JsonNode mediaType = node.path("mediaType");
        JsonNode digest = node.path("digest");
        JsonNode size = node.path("size");
        if (!mediaType.isString() || mediaType.asString().isEmpty()) {
            throw new InvalidManifestException(path + ".mediaType is required");
        }
        if (!digest.isString() || !Digest.isDigest(digest.asString())) {
            throw new InvalidManifestException(path + ".digest must be sha256:<64 hex>");
        }
        // canConvertToLong: a size beyond 64 bits is refused, not an exception of another kind (found by fuzzing)
        if (!size.isIntegralNumber() || !size.canConvertToLong() || size.asLong() < 0) {
            throw new InvalidManifestException(path + ".size must be a non-negative integer");
        }
        Descriptor.Platform platform = null;
        JsonNode p = node.path("platform");
        if (p.isObject()) {
            platform = new Descriptor.Platform(p.path("os").asString(""), p.path("architecture").asString(""));
        }
        Map<String, String> annotations = new LinkedHashMap<>();
        node.path("annotations").properties().forEach(e -> {
            if (e.getValue().isString()) {
                annotations.put(e.getKey(), e.getValue().asString());
            }
        });
        return new Descriptor(mediaType.asString(), Digest.parse(digest.asString()), size.asLong(), platform,
                annotations);
    }

    /** A manifest that cannot be stored: the registry answers MANIFEST_INVALID. */
    public static final class InvalidManifestException extends IllegalArgumentException {
        public InvalidManifestException(String message) {
            super(message);
        }
    }
}
