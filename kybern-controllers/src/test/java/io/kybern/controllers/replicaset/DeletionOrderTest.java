package io.kybern.controllers.replicaset;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DeletionOrderTest {

    private static PodBuilder pod(String name, String created) {
        return new PodBuilder().withNewMetadata().withName(name).withCreationTimestamp(created).endMetadata()
                .withNewSpec().endSpec().withNewStatus().endStatus();
    }

    private static Pod scheduled(String name, String phase, boolean ready, String readySince, int restarts,
            String created) {
        return pod(name, created).editSpec().withNodeName("node-1").endSpec()
                .editStatus().withPhase(phase)
                .addNewCondition().withType("Ready").withStatus(ready ? "True" : "False")
                .withLastTransitionTime(readySince).endCondition()
                .addNewContainerStatus().withName("c").withRestartCount(restarts).endContainerStatus()
                .endStatus().build();
    }

    @Test
    void theCheapestPodsToLoseComeFirst() {
        Pod unscheduled = pod("unscheduled", "2026-01-01T00:00:00Z").editStatus().withPhase("Pending").endStatus()
                .build();
        Pod pending = scheduled("pending", "Pending", false, "2026-01-01T00:00:00Z", 0, "2026-01-01T00:00:00Z");
        Pod unknown = scheduled("unknown", "Unknown", false, "2026-01-01T00:00:00Z", 0, "2026-01-01T00:00:00Z");
        Pod notReady = scheduled("running-not-ready", "Running", false, "2026-01-01T00:00:00Z", 0,
                "2026-01-01T00:00:00Z");
        Pod readyRecently = scheduled("ready-recently", "Running", true, "2026-01-01T10:00:00Z", 0,
                "2026-01-01T00:00:00Z");
        Pod restartedOften = scheduled("restarted-often", "Running", true, "2026-01-01T01:00:00Z", 5,
                "2026-01-01T00:00:00Z");
        Pod newer = scheduled("newer", "Running", true, "2026-01-01T01:00:00Z", 0, "2026-01-01T00:30:00Z");
        Pod oldest = scheduled("oldest", "Running", true, "2026-01-01T01:00:00Z", 0, "2026-01-01T00:00:00Z");
        List<Pod> expected = List.of(unscheduled, pending, unknown, notReady, readyRecently, restartedOften, newer,
                oldest);

        for (long seed = 0; seed < 5; seed++) {
            List<Pod> shuffled = new ArrayList<>(expected);
            Collections.shuffle(shuffled, new Random(seed));
            shuffled.sort(DeletionOrder.FIRST_TO_DELETE);
            assertThat(shuffled).extracting(p -> p.getMetadata().getName())
                    .containsExactlyElementsOf(expected.stream().map(p -> p.getMetadata().getName()).toList());
        }
    }
}
