package io.kybern.controllers.history;

import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The {@code data} of a DaemonSet's or StatefulSet's ControllerRevision, as Kubernetes writes it: a
 * strategic merge patch {@code {"spec":{"template":{..., "$patch":"replace"}}}} that, applied to the owner,
 * puts that revision's pod template back. {@code kubectl rollout undo} sends exactly these bytes as its
 * patch, and {@code rollout history --revision} applies them to show the template.
 *
 * <p>Rendered as compact JSON with every object's keys sorted, as Go's encoder renders a map, so equal
 * templates always give equal bytes and revisions are compared by their bytes.
 */
public final class RevisionData {

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).build();

    private RevisionData() {
    }

    /** The data of a revision holding {@code template}. */
    public static byte[] of(PodTemplateSpec template) {
        Map<String, Object> replaced = new LinkedHashMap<>(JSON.convertValue(template, Map.class));
        replaced.put("$patch", "replace");
        return JSON.writeValueAsBytes(Map.of("spec", Map.of("template", replaced)));
    }

    /** The revision's data rendered canonically (the server may have reordered its keys). */
    public static byte[] of(ControllerRevision revision) {
        if (revision.getData() == null) {
            return new byte[0];
        }
        return JSON.writeValueAsBytes(JSON.convertValue(revision.getData(), Map.class));
    }

    /** Whether the revision holds exactly this data. */
    public static boolean holds(ControllerRevision revision, byte[] data) {
        return Arrays.equals(of(revision), data);
    }

    /** The pod template a revision holds: its data's {@code spec.template} without the directive. */
    public static PodTemplateSpec template(ControllerRevision revision) {
        JsonNode template = JSON.valueToTree(revision.getData()).path("spec").path("template");
        if (!template.isObject()) {
            throw new IllegalArgumentException("revision " + revision.getMetadata().getName()
                    + " holds no spec.template");
        }
        ObjectNode copy = (ObjectNode) template.deepCopy();
        copy.remove("$patch");
        return JSON.treeToValue(copy, PodTemplateSpec.class);
    }

    /** The data as the value of a ControllerRevision's {@code data} field. */
    static Object asField(byte[] data) {
        return JSON.readValue(data, Map.class);
    }
}
