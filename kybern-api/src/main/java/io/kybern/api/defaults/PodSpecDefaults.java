package io.kybern.api.defaults;

import static io.kybern.api.defaults.Fields.defaultTo;
import static io.kybern.api.defaults.Fields.eachObject;
import static io.kybern.api.defaults.Fields.ifObject;
import static io.kybern.api.defaults.Fields.missing;
import static io.kybern.api.defaults.Fields.object;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Defaults of a pod spec, wherever one appears: in a Pod, and in the template of every workload.
 * Kubernetes applies them to templates too, which is why {@code kubectl get deployment -o yaml} shows
 * {@code dnsPolicy: ClusterFirst} under the template.
 */
final class PodSpecDefaults {

    /** Kubernetes' permissions for files projected from Secrets and ConfigMaps: 0644. */
    static final int DEFAULT_FILE_MODE = 0644;

    private PodSpecDefaults() {
    }

    static void podSpec(ObjectNode spec) {
        defaultTo(spec, "dnsPolicy", "ClusterFirst");
        defaultTo(spec, "restartPolicy", "Always");
        defaultTo(spec, "terminationGracePeriodSeconds", 30);
        defaultTo(spec, "schedulerName", "default-scheduler");
        object(spec, "securityContext");
        eachObject(spec, "containers", PodSpecDefaults::container);
        eachObject(spec, "initContainers", PodSpecDefaults::container);
        eachObject(spec, "ephemeralContainers", PodSpecDefaults::container);
        eachObject(spec, "volumes", PodSpecDefaults::volume);
    }

    /** A pod template: its spec's defaults; the template's metadata has none. */
    static void template(JsonNode owner) {
        ifObject(owner, "template", template -> podSpec(object(template, "spec")));
    }

    private static void container(ObjectNode container) {
        defaultTo(container, "terminationMessagePath", "/dev/termination-log");
        defaultTo(container, "terminationMessagePolicy", "File");
        if (missing(container, "imagePullPolicy")) {
            container.put("imagePullPolicy", pullPolicy(container.path("image").asString("")));
        }
        object(container, "resources");
        eachObject(container, "ports", port -> defaultTo(port, "protocol", "TCP"));
        for (String probe : new String[] {"livenessProbe", "readinessProbe", "startupProbe"}) {
            ifObject(container, probe, PodSpecDefaults::probe);
        }
        eachObject(container, "env", env -> ifObject(env, "valueFrom",
                from -> ifObject(from, "fieldRef", ref -> defaultTo(ref, "apiVersion", "v1"))));
        ifObject(container, "lifecycle", lifecycle -> {
            ifObject(lifecycle, "postStart", PodSpecDefaults::handler);
            ifObject(lifecycle, "preStop", PodSpecDefaults::handler);
        });
    }

    /**
     * {@code Always} for an image without a tag or with {@code :latest} (it may change under the same
     * name), {@code IfNotPresent} for a pinned tag or a digest.
     */
    static String pullPolicy(String image) {
        if (image.contains("@")) {
            return "IfNotPresent";
        }
        int slash = image.lastIndexOf('/');
        int colon = image.lastIndexOf(':');
        if (colon <= slash) {
            return "Always";
        }
        return image.substring(colon + 1).equals("latest") ? "Always" : "IfNotPresent";
    }

    private static void probe(ObjectNode probe) {
        defaultTo(probe, "timeoutSeconds", 1);
        defaultTo(probe, "periodSeconds", 10);
        defaultTo(probe, "successThreshold", 1);
        defaultTo(probe, "failureThreshold", 3);
        handler(probe);
    }

    private static void handler(ObjectNode handler) {
        ifObject(handler, "httpGet", get -> {
            defaultTo(get, "path", "/");
            defaultTo(get, "scheme", "HTTP");
        });
    }

    private static void volume(ObjectNode volume) {
        boolean hasSource = false;
        for (var field : volume.propertyNames()) {
            if (!field.equals("name") && !missing(volume, field)) {
                hasSource = true;
                break;
            }
        }
        if (!hasSource) {
            // A volume that names no source is an emptyDir.
            volume.putObject("emptyDir");
        }
        ifObject(volume, "secret", secret -> defaultTo(secret, "defaultMode", DEFAULT_FILE_MODE));
        ifObject(volume, "configMap", configMap -> defaultTo(configMap, "defaultMode", DEFAULT_FILE_MODE));
        ifObject(volume, "downwardAPI", downward -> {
            defaultTo(downward, "defaultMode", DEFAULT_FILE_MODE);
            eachObject(downward, "items", item -> ifObject(item, "fieldRef",
                    ref -> defaultTo(ref, "apiVersion", "v1")));
        });
        ifObject(volume, "projected", projected -> defaultTo(projected, "defaultMode", DEFAULT_FILE_MODE));
        ifObject(volume, "hostPath", hostPath -> defaultTo(hostPath, "type", ""));
        ifObject(volume, "iscsi", iscsi -> defaultTo(iscsi, "iscsiInterface", "default"));
    }
}
