package io.kybern.kubelet.agent;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.DownwardAPIVolumeFile;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The files of the volumes whose content comes from the API (configMap, secret, downwardAPI and projected
 * ones, the service account token included), as kubelet lays them out: every key as a file, or only the
 * listed items at their paths (downwardAPI's fields and resources as in env), with the item's mode or the
 * volume's defaultMode (0644). A missing object or key fails the mount (kubelet's FailedMount) unless the
 * source is optional.
 */
final class VolumeFiles {

    /** A volume that cannot be set up now; kubelet's FailedMount event carries the message. */
    static final class MountFailed extends Exception {
        MountFailed(String volume, String why) {
            super("MountVolume.SetUp failed for volume \"" + volume + "\" : " + why);
        }

        private MountFailed(String message) {
            super(message);
        }

        /**
         * A volume kubelet could not even process (a claim not bound...): its volume manager waits for it and
         * the event says which volumes are not mounted and why.
         */
        static MountFailed unprocessed(String volume, String why) {
            return new MountFailed("Unable to attach or mount volumes: unmounted volumes=[" + volume
                    + "], unattached volumes=[" + volume + "], failed to process volumes=[" + volume + "]: " + why);
        }
    }

    /** One file: its content and permission bits. */
    record File(byte[] content, int mode) {
    }

    static final int DEFAULT_MODE = 0644;

    private VolumeFiles() {
    }

    /** Whether the agent writes this volume's files (rather than making a directory or using the host's). */
    static boolean isApiBacked(Volume volume) {
        return volume.getConfigMap() != null || volume.getSecret() != null || volume.getDownwardAPI() != null
                || volume.getProjected() != null;
    }

    /** Relative path to file, for a volume for which {@link #isApiBacked} holds. */
    static Map<String, File> of(Volume volume, Pod pod, KubernetesClient client) throws MountFailed {
        Map<String, File> files = new TreeMap<>();
        String name = volume.getName();
        if (volume.getConfigMap() != null) {
            var source = volume.getConfigMap();
            configMap(name, source.getName(), source.getItems(), source.getOptional(),
                    mode(source.getDefaultMode(), DEFAULT_MODE), pod, client, files);
        } else if (volume.getSecret() != null) {
            var source = volume.getSecret();
            secret(name, source.getSecretName(), source.getItems(), source.getOptional(),
                    mode(source.getDefaultMode(), DEFAULT_MODE), pod, client, files);
        } else if (volume.getDownwardAPI() != null) {
            downwardApi(name, volume.getDownwardAPI().getItems(), mode(volume.getDownwardAPI().getDefaultMode(),
                    DEFAULT_MODE), pod, files);
        } else if (volume.getProjected() != null) {
            int defaultMode = mode(volume.getProjected().getDefaultMode(), DEFAULT_MODE);
            for (VolumeProjection source : PodWorker.list(volume.getProjected().getSources())) {
                if (source.getConfigMap() != null) {
                    configMap(name, source.getConfigMap().getName(), source.getConfigMap().getItems(),
                            source.getConfigMap().getOptional(), defaultMode, pod, client, files);
                } else if (source.getSecret() != null) {
                    secret(name, source.getSecret().getName(), source.getSecret().getItems(),
                            source.getSecret().getOptional(), defaultMode, pod, client, files);
                } else if (source.getDownwardAPI() != null) {
                    downwardApi(name, source.getDownwardAPI().getItems(), defaultMode, pod, files);
                } else if (source.getServiceAccountToken() != null) {
                    var token = source.getServiceAccountToken();
                    files.put(token.getPath(), new File(serviceAccountToken(name, pod, token.getAudience(),
                            token.getExpirationSeconds(), client).getBytes(StandardCharsets.UTF_8), defaultMode));
                } else {
                    throw new MountFailed(name, "projected source not supported by this node");
                }
            }
        }
        return files;
    }

    private static void configMap(String volume, String name, List<KeyToPath> items, Boolean optional,
            int defaultMode, Pod pod, KubernetesClient client, Map<String, File> files) throws MountFailed {
        ConfigMap map = client.configMaps().inNamespace(pod.getMetadata().getNamespace()).withName(name).get();
        if (map == null) {
            if (Boolean.TRUE.equals(optional)) {
                return;
            }
            throw new MountFailed(volume, "configmap \"" + name + "\" not found");
        }
        Map<String, byte[]> data = new LinkedHashMap<>();
        Objects.requireNonNullElse(map.getData(), Map.<String, String>of())
                .forEach((key, value) -> data.put(key, value.getBytes(StandardCharsets.UTF_8)));
        Objects.requireNonNullElse(map.getBinaryData(), Map.<String, String>of())
                .forEach((key, value) -> data.put(key, Base64.getDecoder().decode(value)));
        keys(volume, data, items, optional, defaultMode, "configmap references non-existent config key: ", files);
    }

    private static void secret(String volume, String name, List<KeyToPath> items, Boolean optional,
            int defaultMode, Pod pod, KubernetesClient client, Map<String, File> files) throws MountFailed {
        Secret secret = client.secrets().inNamespace(pod.getMetadata().getNamespace()).withName(name).get();
        if (secret == null) {
            if (Boolean.TRUE.equals(optional)) {
                return;
            }
            throw new MountFailed(volume, "secret \"" + name + "\" not found");
        }
        Map<String, byte[]> data = new LinkedHashMap<>();
        Objects.requireNonNullElse(secret.getData(), Map.<String, String>of())
                .forEach((key, value) -> data.put(key, Base64.getDecoder().decode(value)));
        Objects.requireNonNullElse(secret.getStringData(), Map.<String, String>of())
                .forEach((key, value) -> data.put(key, value.getBytes(StandardCharsets.UTF_8)));
        keys(volume, data, items, optional, defaultMode, "references non-existent secret key: ", files);
    }

    private static void keys(String volume, Map<String, byte[]> data, List<KeyToPath> items, Boolean optional,
            int defaultMode, String missingKey, Map<String, File> files) throws MountFailed {
        if (items == null || items.isEmpty()) {
            data.forEach((key, value) -> files.put(key, new File(value, defaultMode)));
            return;
        }
        for (KeyToPath item : items) {
            byte[] value = data.get(item.getKey());
            if (value == null) {
                if (Boolean.TRUE.equals(optional)) {
                    continue;
                }
                throw new MountFailed(volume, missingKey + item.getKey());
            }
            files.put(item.getPath(), new File(value, mode(item.getMode(), defaultMode)));
        }
    }

    private static void downwardApi(String volume, List<DownwardAPIVolumeFile> items, int defaultMode, Pod pod,
            Map<String, File> files) throws MountFailed {
        for (DownwardAPIVolumeFile item : PodWorker.list(items)) {
            String value;
            if (item.getFieldRef() != null) {
                String path = item.getFieldRef().getFieldPath();
                value = switch (path) {
                    case "metadata.name" -> pod.getMetadata().getName();
                    case "metadata.namespace" -> pod.getMetadata().getNamespace();
                    case "metadata.uid" -> pod.getMetadata().getUid();
                    case "metadata.labels" -> lines(pod.getMetadata().getLabels());
                    case "metadata.annotations" -> lines(pod.getMetadata().getAnnotations());
                    default -> {
                        if (path.startsWith("metadata.labels['") && path.endsWith("']")) {
                            yield Objects.requireNonNullElse(pod.getMetadata().getLabels(), Map.<String, String>of())
                                    .getOrDefault(path.substring(17, path.length() - 2), "");
                        }
                        if (path.startsWith("metadata.annotations['") && path.endsWith("']")) {
                            yield Objects.requireNonNullElse(pod.getMetadata().getAnnotations(),
                                    Map.<String, String>of()).getOrDefault(path.substring(22, path.length() - 2), "");
                        }
                        throw new MountFailed(volume, "unsupported fieldPath: " + path);
                    }
                };
            } else if (item.getResourceFieldRef() != null) {
                try {
                    value = ResourceFields.value(pod, "", item.getResourceFieldRef(), ResourceFields.Node.local());
                } catch (ContainerEnv.ConfigError e) {
                    throw new MountFailed(volume, e.getMessage());
                }
            } else {
                continue;
            }
            files.put(item.getPath(), new File(value.getBytes(StandardCharsets.UTF_8), mode(item.getMode(),
                    defaultMode)));
        }
    }

    /** Labels and annotations as kubelet writes them: {@code key="value"} lines, sorted by key. */
    static String lines(Map<String, String> map) {
        StringBuilder text = new StringBuilder();
        new TreeMap<>(Objects.requireNonNullElse(map, Map.<String, String>of())).forEach((key, value) -> {
            if (!text.isEmpty()) {
                text.append('\n');
            }
            text.append(key).append("=\"").append(value.replace("\\", "\\\\").replace("\"", "\\\"")
                    .replace("\n", "\\n")).append('"');
        });
        return text.toString();
    }

    /** A token for the pod's service account, bound to the pod, through the TokenRequest API. */
    private static String serviceAccountToken(String volume, Pod pod, String audience, Long expirationSeconds,
            KubernetesClient client) throws MountFailed {
        String account = Objects.requireNonNullElse(pod.getSpec().getServiceAccountName(), "default");
        var request = new TokenRequestBuilder().withNewSpec()
                .withAudiences(audience == null || audience.isEmpty() ? List.of() : List.of(audience))
                .withExpirationSeconds(Objects.requireNonNullElse(expirationSeconds, 3600L))
                .withNewBoundObjectRef().withApiVersion("v1").withKind("Pod").withName(pod.getMetadata().getName())
                .withUid(pod.getMetadata().getUid()).endBoundObjectRef().endSpec().build();
        try {
            return client.serviceAccounts().inNamespace(pod.getMetadata().getNamespace()).withName(account)
                    .tokenRequest(request).getStatus().getToken();
        } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
            throw new MountFailed(volume, "failed to fetch token: " + e.getMessage());
        }
    }

    private static int mode(Integer mode, int otherwise) {
        return mode == null ? otherwise : mode;
    }
}
