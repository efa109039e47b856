package io.kybern.apiserver.admission;

import io.kybern.api.resource.ResourceType;
import io.kybern.apiserver.registry.ObjectStorage;
import io.kybern.apiserver.registry.WriteHooks;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Kubernetes' DefaultStorageClass admission plugin, on claim creation: a PersistentVolumeClaim that names
 * no class (no {@code storageClassName} at all, and not the beta annotation; an empty name is a choice of
 * "no class" and stays) gets the class annotated {@value #DEFAULT_ANNOTATION}; with several, the newest.
 * Without a default class the claim is left alone, and the volume controller gives it one once a default
 * appears.
 */
public final class DefaultStorageClass implements WriteHooks {

    static final String DEFAULT_ANNOTATION = "storageclass.kubernetes.io/is-default-class";
    static final String BETA_DEFAULT_ANNOTATION = "storageclass.beta.kubernetes.io/is-default-class";
    static final String BETA_CLASS_ANNOTATION = "volume.beta.kubernetes.io/storage-class";

    private final ObjectStorage storage;
    private final ResourceType storageClasses;

    public DefaultStorageClass(ObjectStorage storage, ResourceType storageClasses) {
        this.storage = storage;
        this.storageClasses = storageClasses;
    }

    @Override
    public void beforeCreate(ObjectNode claim, boolean dryRun) {
        ObjectNode spec = claim.withObject("spec");
        if (spec.has("storageClassName") || claim.path("metadata").path("annotations").has(BETA_CLASS_ANNOTATION)) {
            return;
        }
        JsonNode chosen = null;
        for (JsonNode item : storage.list(storageClasses, "", 0, null, null).path("items")) {
            JsonNode annotations = item.path("metadata").path("annotations");
            boolean isDefault = "true".equals(annotations.path(DEFAULT_ANNOTATION).asString(""))
                    || "true".equals(annotations.path(BETA_DEFAULT_ANNOTATION).asString(""));
            if (isDefault && (chosen == null || newer(item, chosen))) {
                chosen = item;
            }
        }
        if (chosen != null) {
            spec.put("storageClassName", chosen.path("metadata").path("name").asString());
        }
    }

    /** Newer by creation time, then by name, so the choice among defaults is stable. */
    private static boolean newer(JsonNode a, JsonNode b) {
        int byTime = a.path("metadata").path("creationTimestamp").asString("")
                .compareTo(b.path("metadata").path("creationTimestamp").asString(""));
        return byTime != 0 ? byTime > 0 : a.path("metadata").path("name").asString("")
                .compareTo(b.path("metadata").path("name").asString("")) < 0;
    }
}
