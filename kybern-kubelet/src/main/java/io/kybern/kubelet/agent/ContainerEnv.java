package io.kybern.kubelet.agent;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A container's environment and its command line as they are run: env values with {@code $(VAR)} of the
 * variables before them expanded, values from the pod's fields and from ConfigMap and Secret keys, over the
 * variables of envFrom's ConfigMaps and Secrets; then command and args expanded against the whole
 * environment.
 */
final class ContainerEnv {

    /** A reference that cannot be resolved: kubelet's CreateContainerConfigError, with this message. */
    static final class ConfigError extends Exception {
        ConfigError(String message) {
            super(message);
        }
    }

    private ContainerEnv() {
    }

    /**
     * The container's environment in kubelet's order: envFrom, env, then the service variables (see
     * {@link ServiceEnv}) that neither set. {@code $(VAR)} in env values sees the variables before it and the
     * service variables.
     */
    static Map<String, String> resolve(Pod pod, Container container, String podIp, String hostIp,
            Map<String, String> serviceEnv, KubernetesClient client) throws ConfigError {
        Map<String, String> env = new LinkedHashMap<>();
        String namespace = pod.getMetadata().getNamespace();
        envFrom(container, namespace, client, env);
        Map<String, String> visible = new HashMap<>(serviceEnv);
        visible.putAll(env);
        for (EnvVar variable : container.getEnv() == null ? List.<EnvVar>of() : container.getEnv()) {
            EnvVarSource source = variable.getValueFrom();
            String value;
            if (source == null) {
                value = Expansion.expand(variable.getValue() == null ? "" : variable.getValue(), visible);
            } else if (source.getFieldRef() != null) {
                value = field(pod, source.getFieldRef().getFieldPath(), podIp, hostIp);
            } else if (source.getConfigMapKeyRef() != null) {
                var ref = source.getConfigMapKeyRef();
                ConfigMap map = client.configMaps().inNamespace(namespace).withName(ref.getName()).get();
                if (map == null || map.getData() == null || !map.getData().containsKey(ref.getKey())) {
                    if (Boolean.TRUE.equals(ref.getOptional())) {
                        continue;
                    }
                    throw new ConfigError(map == null ? "configmap \"" + ref.getName() + "\" not found"
                            : "couldn't find key " + ref.getKey() + " in ConfigMap " + namespace + "/" + ref.getName());
                }
                value = map.getData().get(ref.getKey());
            } else if (source.getSecretKeyRef() != null) {
                var ref = source.getSecretKeyRef();
                Secret secret = client.secrets().inNamespace(namespace).withName(ref.getName()).get();
                if (secret == null || secret.getData() == null || !secret.getData().containsKey(ref.getKey())) {
                    if (Boolean.TRUE.equals(ref.getOptional())) {
                        continue;
                    }
                    throw new ConfigError(secret == null ? "secret \"" + ref.getName() + "\" not found"
                            : "couldn't find key " + ref.getKey() + " in Secret " + namespace + "/" + ref.getName());
                }
                value = new String(Base64.getDecoder().decode(secret.getData().get(ref.getKey())),
                        StandardCharsets.UTF_8);
            } else if (source.getResourceFieldRef() != null) {
                value = ResourceFields.value(pod, container.getName(), source.getResourceFieldRef(),
                        ResourceFields.Node.local());
            } else {
                continue;
            }
            env.put(variable.getName(), value);
            visible.put(variable.getName(), value);
        }
        serviceEnv.forEach(env::putIfAbsent);
        return env;
    }

    /**
     * The variables of envFrom's ConfigMaps and Secrets, each key with the source's prefix, later sources
     * winning; env then sets its own over them, as kubelet orders them. A key that cannot be a variable
     * name (one with '=') is left out.
     */
    private static void envFrom(Container container, String namespace, KubernetesClient client,
            Map<String, String> env) throws ConfigError {
        for (EnvFromSource source : container.getEnvFrom() == null ? List.<EnvFromSource>of()
                : container.getEnvFrom()) {
            String prefix = source.getPrefix() == null ? "" : source.getPrefix();
            Map<String, String> values = new LinkedHashMap<>();
            if (source.getConfigMapRef() != null) {
                var ref = source.getConfigMapRef();
                ConfigMap map = client.configMaps().inNamespace(namespace).withName(ref.getName()).get();
                if (map == null) {
                    if (Boolean.TRUE.equals(ref.getOptional())) {
                        continue;
                    }
                    throw new ConfigError("configmap \"" + ref.getName() + "\" not found");
                }
                if (map.getData() != null) {
                    values.putAll(map.getData());
                }
            } else if (source.getSecretRef() != null) {
                var ref = source.getSecretRef();
                Secret secret = client.secrets().inNamespace(namespace).withName(ref.getName()).get();
                if (secret == null) {
                    if (Boolean.TRUE.equals(ref.getOptional())) {
                        continue;
                    }
                    throw new ConfigError("secret \"" + ref.getName() + "\" not found");
                }
                if (secret.getData() != null) {
                    secret.getData().forEach((key, value) -> values.put(key,
                            new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8)));
                }
            }
            values.forEach((key, value) -> {
                if (!(prefix + key).contains("=")) {
                    env.put(prefix + key, value);
                }
            });
        }
    }

    static List<String> expandAll(List<String> words, Map<String, String> env) {
        List<String> expanded = new ArrayList<>();
        for (String word : words == null ? List.<String>of() : words) {
            expanded.add(Expansion.expand(word, env));
        }
        return expanded;
    }

    private static String field(Pod pod, String path, String podIp, String hostIp) throws ConfigError {
        var metadata = pod.getMetadata();
        if (path.startsWith("metadata.labels['") && path.endsWith("']")) {
            String key = path.substring("metadata.labels['".length(), path.length() - 2);
            return metadata.getLabels() == null ? "" : metadata.getLabels().getOrDefault(key, "");
        }
        if (path.startsWith("metadata.annotations['") && path.endsWith("']")) {
            String key = path.substring("metadata.annotations['".length(), path.length() - 2);
            return metadata.getAnnotations() == null ? "" : metadata.getAnnotations().getOrDefault(key, "");
        }
        return switch (path) {
            case "metadata.name" -> metadata.getName();
            case "metadata.namespace" -> metadata.getNamespace();
            case "metadata.uid" -> metadata.getUid();
            case "spec.nodeName" -> pod.getSpec().getNodeName();
            case "spec.serviceAccountName" -> pod.getSpec().getServiceAccountName() == null ? ""
                    : pod.getSpec().getServiceAccountName();
            case "status.podIP", "status.podIPs" -> podIp;
            case "status.hostIP", "status.hostIPs" -> hostIp;
            default -> throw new ConfigError("unsupported fieldPath: " + path);
        };
    }
}
