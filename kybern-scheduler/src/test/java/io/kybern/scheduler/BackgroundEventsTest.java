package io.kybern.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.kybern.controllers.runtime.EventRecorder;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The queue's bounds, with no writer taking from it (what the writers send is the scheduler tests' business,
 * against a real server: kybern-cli SchedulerTest): a client of a port nobody serves is never called here.
 */
class BackgroundEventsTest {

    private final KubernetesClient client = new KubernetesClientBuilder()
            .withConfig(new ConfigBuilder().withMasterUrl("https://127.0.0.1:1").build()).build();
    private final EventRecorder recorder = new EventRecorder(client, "default-scheduler", Clock.systemUTC());

    @AfterEach
    void closeClient() {
        client.close();
    }

    private static Pod pod(String name) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace("default").withUid(name)
                .endMetadata().build();
    }

    @Test
    void aFullQueueDropsTheEventInsteadOfHoldingUpTheCaller() {
        BackgroundEvents events = new BackgroundEvents(recorder, 0, 2);
        events.record(pod("a"), EventRecorder.NORMAL, "Scheduled", "Successfully assigned default/a to n");
        events.record(pod("b"), EventRecorder.NORMAL, "Scheduled", "Successfully assigned default/b to n");
        events.record(pod("c"), EventRecorder.NORMAL, "Scheduled", "Successfully assigned default/c to n");
        assertThat(events.unwritten()).isEqualTo(2);
        events.close(Duration.ZERO);
    }

    @Test
    void aClosedQueueTakesNoMoreEvents() {
        BackgroundEvents events = new BackgroundEvents(recorder, 0, 10);
        events.record(pod("a"), EventRecorder.NORMAL, "Scheduled", "Successfully assigned default/a to n");
        events.close(Duration.ZERO);
        events.record(pod("b"), EventRecorder.NORMAL, "Scheduled", "Successfully assigned default/b to n");
        assertThat(events.unwritten()).isEqualTo(1);
    }
}
