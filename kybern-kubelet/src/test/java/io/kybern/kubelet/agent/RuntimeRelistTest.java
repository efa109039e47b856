package io.kybern.kubelet.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.kybern.kubelet.cri.api.Container;
import io.kybern.kubelet.cri.api.ContainerState;
import io.kybern.kubelet.cri.api.PodSandbox;
import io.kybern.kubelet.cri.api.PodSandboxState;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RuntimeRelistTest {

    private static PodSandbox sandbox(String id, String podUid, PodSandboxState state) {
        return PodSandbox.newBuilder().setId(id).setState(state).putLabels(PodRuntime.POD_UID, podUid).build();
    }

    private static Container container(String id, String podUid, ContainerState state) {
        return Container.newBuilder().setId(id).setPodSandboxId("s-" + podUid).setState(state)
                .putLabels(PodRuntime.POD_UID, podUid).build();
    }

    private static Map<String, String> states(List<PodSandbox> sandboxes, List<Container> containers) {
        return RuntimeRelist.states(sandboxes, containers);
    }

    @Test
    void nothingChangedWakesNoPodWhateverTheListingOrder() {
        var before = states(List.of(sandbox("s-a", "a", PodSandboxState.SANDBOX_READY),
                sandbox("s-b", "b", PodSandboxState.SANDBOX_READY)), List.of(
                container("c1", "a", ContainerState.CONTAINER_RUNNING),
                container("c2", "a", ContainerState.CONTAINER_RUNNING)));
        var after = states(List.of(sandbox("s-b", "b", PodSandboxState.SANDBOX_READY),
                sandbox("s-a", "a", PodSandboxState.SANDBOX_READY)), List.of(
                container("c2", "a", ContainerState.CONTAINER_RUNNING),
                container("c1", "a", ContainerState.CONTAINER_RUNNING)));

        assertThat(RuntimeRelist.changedPods(before, after)).isEmpty();
    }

    @Test
    void anExitedContainerWakesItsPodOnly() {
        var sandboxes = List.of(sandbox("s-a", "a", PodSandboxState.SANDBOX_READY),
                sandbox("s-b", "b", PodSandboxState.SANDBOX_READY));
        var before = states(sandboxes, List.of(container("c1", "a", ContainerState.CONTAINER_RUNNING),
                container("c2", "b", ContainerState.CONTAINER_RUNNING)));
        var after = states(sandboxes, List.of(container("c1", "a", ContainerState.CONTAINER_EXITED),
                container("c2", "b", ContainerState.CONTAINER_RUNNING)));

        assertThat(RuntimeRelist.changedPods(before, after)).containsExactly("a");
    }

    @Test
    void aNewContainerAGoneSandboxAndANewPodAreChanges() {
        var before = states(List.of(sandbox("s-a", "a", PodSandboxState.SANDBOX_READY),
                sandbox("s-b", "b", PodSandboxState.SANDBOX_READY)), List.of(
                container("c1", "a", ContainerState.CONTAINER_EXITED)));
        var after = states(List.of(sandbox("s-a", "a", PodSandboxState.SANDBOX_READY),
                sandbox("s-c", "c", PodSandboxState.SANDBOX_READY)), List.of(
                container("c1", "a", ContainerState.CONTAINER_EXITED),
                container("c3", "a", ContainerState.CONTAINER_RUNNING)));

        assertThat(RuntimeRelist.changedPods(before, after)).containsExactlyInAnyOrder("a", "b", "c");
    }

    @Test
    void aSandboxThatStoppedIsAChangeAndUnlabelledOnesAreNotPods() {
        var before = states(List.of(sandbox("s-a", "a", PodSandboxState.SANDBOX_READY),
                PodSandbox.newBuilder().setId("raw").setState(PodSandboxState.SANDBOX_READY).build()), List.of());
        var after = states(List.of(sandbox("s-a", "a", PodSandboxState.SANDBOX_NOTREADY)), List.of(
                Container.newBuilder().setId("raw-c").setState(ContainerState.CONTAINER_RUNNING).build()));

        assertThat(before).containsOnlyKeys("a");
        assertThat(RuntimeRelist.changedPods(before, after)).containsExactly("a");
    }
}
