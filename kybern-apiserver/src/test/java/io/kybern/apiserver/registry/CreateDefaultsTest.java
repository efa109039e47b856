package io.kybern.apiserver.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.kybern.api.resource.GroupVersionResource;
import io.kybern.api.resource.ResourceType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The DefaultTolerationSeconds admission: what a new pod tolerates of not-ready and unreachable nodes. */
class CreateDefaultsTest {

    private static final ResourceType PODS = new ResourceType(new GroupVersionResource("", "v1", "pods"), "Pod",
            "pod", true, Set.of("create"), List.of("po"), List.of("all"), List.of(), "pods");
    private static final ResourceType CONFIGMAPS = new ResourceType(
            new GroupVersionResource("", "v1", "configmaps"), "ConfigMap", "configmap", true, Set.of("create"),
            List.of("cm"), List.of(), List.of(), "configmaps");

    private static ObjectNode created(ResourceType type, String json) {
        ObjectNode object = ObjectStorage.parseObject(json.getBytes(StandardCharsets.UTF_8));
        CreateDefaults.apply(type, object);
        return object;
    }

    private static List<String> tolerations(ObjectNode pod) {
        List<String> rendered = new ArrayList<>();
        for (JsonNode t : pod.path("spec").path("tolerations")) {
            rendered.add(t.path("key").asString("") + " " + t.path("operator").asString("") + " "
                    + t.path("effect").asString("") + " " + (t.has("tolerationSeconds")
                            ? t.get("tolerationSeconds").asLong() : "forever"));
        }
        return rendered;
    }

    @Test
    void aPodWithoutTolerationsToleratesNotReadyAndUnreachableForFiveMinutes() {
        ObjectNode pod = created(PODS, "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[]}}");

        assertThat(tolerations(pod)).containsExactly(
                "node.kubernetes.io/not-ready Exists NoExecute 300",
                "node.kubernetes.io/unreachable Exists NoExecute 300");
    }

    @Test
    void tolerationsOfItsOwnAreKeptAndTheDefaultsAppended() {
        ObjectNode pod = created(PODS, "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"tolerations\":["
                + "{\"key\":\"dedicated\",\"operator\":\"Equal\",\"value\":\"gpu\",\"effect\":\"NoSchedule\"}]}}");

        assertThat(tolerations(pod)).containsExactly("dedicated Equal NoSchedule forever",
                "node.kubernetes.io/not-ready Exists NoExecute 300",
                "node.kubernetes.io/unreachable Exists NoExecute 300");
    }

    @Test
    void aPodThatAlreadyToleratesOneTaintGetsOnlyTheOther() {
        ObjectNode pod = created(PODS, "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"tolerations\":["
                + "{\"key\":\"node.kubernetes.io/unreachable\",\"operator\":\"Exists\",\"effect\":\"NoExecute\","
                + "\"tolerationSeconds\":2}]}}");

        assertThat(tolerations(pod)).containsExactly("node.kubernetes.io/unreachable Exists NoExecute 2",
                "node.kubernetes.io/not-ready Exists NoExecute 300");
    }

    @Test
    void aTolerationOfEveryTaintOrEveryEffectLeavesThePodAlone() {
        ObjectNode everything = created(PODS, "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"tolerations\":["
                + "{\"operator\":\"Exists\"}]}}");
        ObjectNode anyEffect = created(PODS, "{\"metadata\":{\"name\":\"q\"},\"spec\":{\"tolerations\":["
                + "{\"key\":\"node.kubernetes.io/not-ready\",\"operator\":\"Exists\"},"
                + "{\"key\":\"node.kubernetes.io/unreachable\",\"operator\":\"Exists\"}]}}");

        assertThat(tolerations(everything)).containsExactly(" Exists  forever");
        assertThat(tolerations(anyEffect)).hasSize(2);
    }

    @Test
    void aNoScheduleTolerationDoesNotCountForNoExecute() {
        ObjectNode pod = created(PODS, "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"tolerations\":["
                + "{\"key\":\"node.kubernetes.io/not-ready\",\"operator\":\"Exists\",\"effect\":\"NoSchedule\"}]}}");

        assertThat(tolerations(pod)).containsExactly("node.kubernetes.io/not-ready Exists NoSchedule forever",
                "node.kubernetes.io/not-ready Exists NoExecute 300",
                "node.kubernetes.io/unreachable Exists NoExecute 300");
    }

    @Test
    void otherKindsGetNoTolerations() {
        ObjectNode map = created(CONFIGMAPS, "{\"metadata\":{\"name\":\"c\"},\"data\":{}}");

        assertThat(map.has("spec")).isFalse();
    }
}
